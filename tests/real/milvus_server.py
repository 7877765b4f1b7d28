#!/usr/bin/env python3
"""Start and stop a real Milvus 2.3 standalone server from the PyPI package `milvus` (embedded Milvus).

The package's own launcher moves busy ports silently and always binds etcd to 2379/2380, so two servers
cannot run side by side through it. This script uses the package only for its binary and config template:
it picks free loopback ports for every listener, gives the embedded etcd its own config through
ETCD_CONFIG_PATH, starts the binary in its own session, records the pid, and waits for /healthz.

  milvus_server.py start DIR [--auth] [--tls-mode 1|2 --cert-dir D]   prints the gRPC port
  milvus_server.py stop DIR [--grace S]                               stops the server by its pid
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import milvus  # the PyPI package: binary, libraries and config template

PORT_KEYS = ('proxy_port', 'proxy_internal_port', 'root_coord_port', 'query_coord_port', 'query_node_port',
             'index_coord_port', 'index_node_port', 'data_coord_port', 'data_node_port', 'etcd_port')


def free_ports(count):
    """Distinct free loopback ports below the kernel's ephemeral range (so that outgoing connections do
    not take them before the server binds them), all bound at once so that none is handed out twice."""
    low, _ = (int(x) for x in open('/proc/sys/net/ipv4/ip_local_port_range').read().split())
    socks = []
    try:
        while len(socks) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(('127.0.0.1', random.randrange(10000, low)))
                socks.append(s)
            except OSError:
                s.close()
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def write_etcd_config(path, data_dir, client_port, peer_port):
    client = f'http://127.0.0.1:{client_port}'
    peer = f'http://127.0.0.1:{peer_port}'
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f'name: default\n'
                f'data-dir: {data_dir}\n'
                f'listen-client-urls: {client}\n'
                f'advertise-client-urls: {client}\n'
                f'listen-peer-urls: {peer}\n'
                f'initial-advertise-peer-urls: {peer}\n'
                f'initial-cluster: default={peer}\n'
                f'initial-cluster-state: new\n')


def healthy(metrics_port):
    try:
        with urllib.request.urlopen(f'http://127.0.0.1:{metrics_port}/healthz', timeout=2) as r:
            return b'OK' in r.read()
    except OSError:
        return False


def shared_bin():
    """The package's binary and libraries (250 MB, unpacked from lzma: seconds of CPU), unpacked once
    into the virtual environment and shared by every server: Milvus finds its configs in its working
    directory (DIR/configs), not next to its binary. Unpacked to a private directory and renamed into
    place, so that servers starting at the same moment do not see a half-written binary."""
    final = os.path.join(sys.prefix, f'milvus-bin-{milvus.__version__}')
    if os.path.exists(os.path.join(final, 'milvus')):
        return final
    tmp = f'{final}.tmp{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True)
    milvus._initialize_data_files(tmp)  # unpacks into tmp/bin
    try:
        os.rename(os.path.join(tmp, 'bin'), final)
    except OSError:
        if not os.path.exists(os.path.join(final, 'milvus')):
            raise
    shutil.rmtree(tmp, ignore_errors=True)
    return final


def start(args):
    """Starts the server; when a port it was given was taken meanwhile (another server starting at the
    same moment), starts again on new ports, three times at most."""
    for attempt in range(3):
        port = start_once(args)
        if port:
            print(port)
            return
        shutil.rmtree(os.path.join(os.path.abspath(args.data), 'data'), ignore_errors=True)
    sys.exit(f'milvus_server: a port was taken by another process during start-up, three times; '
             f'see {args.data}/logs')


def port_clash(data):
    try:
        with open(os.path.join(data, 'logs', 'milvus-stdout.log'), encoding='utf-8', errors='replace') as f:
            return 'address already in use' in f.read()
    except OSError:
        return False


def start_once(args):
    """The gRPC port of a healthy server, or None when a port clash stopped it."""
    data = os.path.abspath(args.data)
    os.makedirs(data, exist_ok=True)
    ports = free_ports(len(PORT_KEYS) + 2)
    chosen = dict(zip(PORT_KEYS, ports))
    peer_port, metrics_port = ports[-2], ports[-1]
    settings = dict(chosen, data_dir=data, authorization_enabled=args.auth, tls_mode=args.tls_mode)
    if args.cert_dir:
        settings.update(server_pem_path=os.path.join(args.cert_dir, 'server.pem'),
                        server_key_path=os.path.join(args.cert_dir, 'server.key'),
                        ca_pem_path=os.path.join(args.cert_dir, 'ca.pem'))
    config = milvus.MilvusServerConfig(**settings)
    # The constructor's keyword arguments only reach the ports and data_dir; every other template
    # item (authorization_enabled, tls_mode, the certificate paths) is applied only through set().
    for key, value in settings.items():
        if key not in chosen and key != 'data_dir':
            config.set(key, value)
    config.resolve()  # writes DIR/configs/milvus.yaml with exactly these ports (a busy one is an error)
    etcd_yaml = os.path.join(data, 'configs', 'etcd.yaml')
    write_etcd_config(etcd_yaml, os.path.join(data, 'data', 'etcd.data'), chosen['etcd_port'], peer_port)

    bindir = shared_bin()
    env = dict(os.environ, DEPLOY_MODE='STANDALONE', METRICS_PORT=str(metrics_port),
               MILVUS_RUN_DIR=os.path.join(data, 'run'), ETCD_CONFIG_PATH=etcd_yaml,
               LD_LIBRARY_PATH=bindir + ':' + os.environ.get('LD_LIBRARY_PATH', ''))
    with open(os.path.join(data, 'logs', 'milvus-stdout.log'), 'wb') as out, \
         open(os.path.join(data, 'logs', 'milvus-stderr.log'), 'wb') as err:
        proc = subprocess.Popen([os.path.join(bindir, 'milvus'), 'run', 'standalone'], cwd=data, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    with open(os.path.join(data, 'pid'), 'w', encoding='utf-8') as f:
        f.write(f'{proc.pid}\n')
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None or (port_clash(data) and not healthy(metrics_port)):
            stop_pid(proc.pid)
            if port_clash(data):
                return None
            sys.exit(f'milvus_server: the server exited with status {proc.returncode} during start-up; '
                     f'see {data}/logs')
        if healthy(metrics_port):
            with open(os.path.join(data, 'port'), 'w', encoding='utf-8') as f:
                f.write(f'{chosen["proxy_port"]}\n')
            return chosen['proxy_port']
        time.sleep(0.2)
    stop_pid(proc.pid)
    sys.exit(f'milvus_server: not healthy after {args.timeout} s; see {data}/logs')


def stop_pid(pid, grace=20):
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(args):
    pidfile = os.path.join(args.data, 'pid')
    try:
        with open(pidfile, encoding='utf-8') as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return
    stop_pid(pid, args.grace)
    os.unlink(pidfile)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('start')
    p.add_argument('data')
    p.add_argument('--auth', action='store_true')
    p.add_argument('--tls-mode', type=int, default=0)
    p.add_argument('--cert-dir')
    p.add_argument('--timeout', type=float, default=180)
    p.set_defaults(run=start)
    p = sub.add_parser('stop')
    p.add_argument('data')
    # seconds between SIGTERM and SIGKILL: a server with loaded collections takes the whole 20 s (its
    # shutdown waits on its own coordinators); a throwaway one can be killed sooner
    p.add_argument('--grace', type=float, default=20)
    p.set_defaults(run=stop)
    args = parser.parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
