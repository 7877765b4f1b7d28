#!/usr/bin/env bash
# The cross-host GNU parallel recipe of man/mvs-migrate.1 (SHARDS ACROSS MACHINES, `parallel -S
# host1,host2 ...`) run for real: two containers of the SSH test image (the mvs image with sshd) are host1
# and host2, reached with a key made here through an ssh config that PARALLEL_SSH names. As the man page
# advises, the passwords are in files on the hosts: the recipe runs as written with only the endpoints
# substituted, each with --user and --password-file. The target then holds exactly the source's rows
# (checked with the official Node SDK) and both hosts took logins; the recipe with a shard left out
# gives fewer rows, which the check sees.
. "$MVS_TOP/tests/docker/lib.sh"
need_node
command -v parallel >/dev/null || { echo "GNU parallel is not installed"; exit 77; }
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || { echo "ssh is not installed (Debian: openssh-client)"; exit 77; }
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src --user root --password 'src-Secret'
fake_start dst --user root --password 'dst-Secret'
sdk seed --uri "$src_URI" --user root --password 'src-Secret' --scenario varchar-pk --collection books --rows 400 >/dev/null

# the recipe: the .EX line of the section that starts "parallel -S", the roff escapes undone
recipe=$(sed -n '/^\.SH SHARDS ACROSS MACHINES/,/^\.SH /{/^\.EX/,/^\.EE/{/^parallel -S /p}}' "$MVS_TOP/man/mvs-migrate.1" |
	sed 's/\\-/-/g; s/\\e/\\/g')
[ "$(printf '%s\n' "$recipe" | wc -l)" = 1 ] && [ -n "$recipe" ] || fail "no single 'parallel -S' recipe in mvs-migrate(1): $recipe"
case "$recipe" in *"-S host1,host2 "*"src.example:19530"*"dst.example:19530"*"::: 0 1 2 3") ;;
*) fail "the recipe is not the one this test knows how to run: $recipe" ;; esac
on_hosts=/etc/mvs-test
run=${recipe//src.example:19530/"$src_URI --user root --password-file $on_hosts/src-password"}
run=${run//dst.example:19530/"$dst_URI --user root --password-file $on_hosts/dst-password"}

# what the hosts hold: the key that lets the test in, the passwords (the image's user's own, mode 600)
mkdir -m 755 "$T/host"
ssh-keygen -q -t ed25519 -N '' -C mvs-test -f "$T/id"
cp "$T/id.pub" "$T/host/authorized_keys"
printf '%s\n' 'src-Secret' >"$T/host/src-password"
printf '%s\n' 'dst-Secret' >"$T/host/dst-password"
uid=$(docker run --rm "$MVS_IMAGE" id -u)
chown "$uid" "$T/host/src-password" "$T/host/dst-password"
chmod 600 "$T/host/src-password" "$T/host/dst-password"

# two free loopback ports, one sshd on each
read -r port1 port2 < <(python3 -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
container host1 --user root -v "$T/host:$on_hosts:ro" "$MVS_SSHD_IMAGE" /usr/sbin/sshd -D -e -p "$port1"
container host2 --user root -v "$T/host:$on_hosts:ro" "$MVS_SSHD_IMAGE" /usr/sbin/sshd -D -e -p "$port2"
cat >"$T/ssh_config" <<EOF
Host host1
  HostName 127.0.0.1
  Port $port1
Host host2
  HostName 127.0.0.1
  Port $port2
Host *
  User mvs
  IdentityFile $T/id
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  BatchMode yes
  LogLevel ERROR
EOF
export PARALLEL_SSH="ssh -F $T/ssh_config"
for host in host1 host2; do
	for i in $(seq 1 100); do
		$PARALLEL_SSH "$host" true 2>"$T/ssh.err" && break
		[ "$i" -lt 100 ] || { cat "$T/ssh.err" >&2; docker logs "$host1_ID" >&2; fail "cannot ssh to $host"; }
		sleep 0.1
	done
done

# logins() HOST: how many logins HOST's sshd has taken
logins() {
	local id_var=${1}_ID
	docker logs "${!id_var}" 2>&1 | grep -c 'Accepted publickey for mvs' || true
}
before1=$(logins host1) before2=$(logins host2)
start=$SECONDS
rc=0
bash -c "$run" >"$T/out" 2>"$T/err" </dev/null || rc=$?
[ $rc -eq 0 ] || { cat "$T/out" "$T/err" >&2; fail "exit $rc: $run"; }
compare_books 'src-Secret' 'dst-Secret' || { cat "$T/compare" >&2; fail "the target differs after: $run"; }
[ "$(logins host1)" -gt "$before1" ] && [ "$(logins host2)" -gt "$before2" ] || fail "parallel did not log in to both hosts"
grep -qe src-Secret -e dst-Secret "$T/out" "$T/err" && fail "a password in the output"
note "ran on host1 and host2 ($((SECONDS - start)) s): $recipe"

sdk drop --uri "$dst_URI" --user root --password 'dst-Secret' --collection books >/dev/null
bash -c "${run%::: 0 1 2 3}::: 0 1 3" >"$T/out" 2>"$T/err" </dev/null || { cat "$T/out" "$T/err" >&2; fail "shards 0 1 3 failed"; }
compare_books 'src-Secret' 'dst-Secret' && fail "shards 0, 1 and 3 gave the whole collection: the check cannot see a missing shard"
note "a shard left out: the check sees the missing rows"
