#!/usr/bin/env python3
"""The client side of migrate_rest_load.sh (standard library only).

migrate_rest_load.py HOST:PORT load N PATH...
    Holds 100 idle connections and 100 half-sent requests open, sends N GET requests (cycling
    through PATH...) from 40 threads at once, each over a keep-alive connection, while a second
    process asks GET /api/v1/healthy on a fresh connection every 50 ms (all within 60 s). Then
    waits (40 s at most) for the server to close the held connections. Prints what it saw; exits 1
    when a request failed, when healthy failed or took 1 s or more, or when a held connection
    stayed open.
migrate_rest_load.py HOST:PORT raw
    Sends stdin as it is, then prints the reply's status line and "closed" once the server closes
    the connection, or "no reply" / "still open" after 5 s.
"""
import concurrent.futures
import http.client
import socket
import subprocess
import sys
import threading
import time

CONCURRENCY = 40
HELD = 100  # idle connections, and as many half-sent requests


def load(host, port, n, paths):
    held = [socket.create_connection((host, port)) for _ in range(HELD)]
    for i in range(HELD):
        s = socket.create_connection((host, port))
        if i % 2:  # half the headers
            s.sendall(b"GET /api/v1/healthy HTTP/1.1\r\nHost: x\r\nAccept: app")
        else:  # the headers and half the announced body
            s.sendall(b"POST /api/v1/start HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{\"async\": ")
        held.append(s)
    watch = subprocess.Popen([sys.executable, __file__, f"{host}:{port}", "watch"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    local = threading.local()
    deadline = time.monotonic() + 60  # a server that hangs fails the test, soon

    def one(i):
        if time.monotonic() > deadline:
            return "deadline"
        for attempt in range(2):  # a keep-alive connection the server closed: once more on a new one
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection(host, port, timeout=10)
            try:
                local.conn.request("GET", paths[i % len(paths)])
                reply = local.conn.getresponse()
                reply.read()
                return reply.status
            except (OSError, http.client.HTTPException) as e:
                local.conn.close()
                del local.conn
                if attempt:
                    return type(e).__name__
        return None

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(one, range(n)))
    took = time.monotonic() - start
    watch.stdin.close()
    worst, checks, bad = watch.stdout.read().split()
    watch.wait()
    failed = [r for r in results if r != 200]
    print(f"{n} requests at {CONCURRENCY} at once in {took:.1f} s, {len(failed)} failed "
          f"({sorted(set(map(str, failed)))}); healthy: {checks} checks, worst {float(worst) * 1000:.0f} ms, "
          f"{bad} failed")

    # The server closes the held connections (idle timeout); a closed one reads as EOF or a reset.
    deadline = time.monotonic() + 40
    still_open = 0
    for s in held:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            while s.recv(4096):
                pass
        except socket.timeout:
            still_open += 1
        except OSError:
            pass
        s.close()
    print(f"held connections closed by the server: {len(held) - still_open} of {len(held)}")
    ok = not failed and int(bad) == 0 and float(worst) < 1.0 and still_open == 0
    return 0 if ok else 1


def watch(host, port):
    """healthy every 50 ms until stdin closes; prints the worst latency, the count and the failures."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    worst, checks, bad = 0.0, 0, 0
    while not stop.is_set():
        t = time.monotonic()
        conn = http.client.HTTPConnection(host, port, timeout=5)
        try:
            conn.request("GET", "/api/v1/healthy")
            reply = conn.getresponse()
            if reply.status != 200 or b'"data":"ok"' not in reply.read():
                bad += 1
        except (OSError, http.client.HTTPException):
            bad += 1
        conn.close()
        worst = max(worst, time.monotonic() - t)
        checks += 1
        stop.wait(0.05)
    print(worst, checks, bad)
    return 0


def raw(host, port):
    s = socket.create_connection((host, port))
    s.settimeout(5)
    s.sendall(sys.stdin.buffer.read())
    got = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            got += data
    except socket.timeout:
        print(got.split(b"\r\n")[0].decode() if got else "no reply")
        print("still open")
        return 0
    print(got.split(b"\r\n")[0].decode() if got else "no reply")
    print("closed")
    return 0


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    what = sys.argv[2]
    if what == "load":
        return load(host, int(port), int(sys.argv[3]), sys.argv[4:])
    if what == "watch":
        return watch(host, int(port))
    return raw(host, int(port))


if __name__ == "__main__":
    sys.exit(main())
