#!/usr/bin/env bash
# I/O errors. Input that cannot be read gives exit 3, not 4. On output, a full device (/dev/full), a
# full filesystem (a 64 KiB tmpfs in a private mount namespace, when unshare(1) may mount one) and a
# file-size limit (ulimit -f) give exit 3 with a message naming the error, from every tool that
# writes; `-o FILE` never leaves FILE behind unless the run succeeded, and leaves no FILE.part either
# unless the process was killed outright (kill -9), in which case FILE.part fails mvs-cat --verify.
# SIGTERM, SIGINT and SIGHUP remove FILE.part. (Closed pipes stop quietly: cat_pipe.sh and
# export_failures.sh.)
. "$MVS_TOP/tests/lib.sh"
. "$MVS_TOP/tests/tools/faults.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

"$gen" --scenario wide --rows 3000 --dim 32 >"$T/big.mvs"	# ~400 kB
fake_start src
mvs-import --uri "$src_URI" --collection wide --create-index --load -q "$T/big.mvs"
printf '%s\n' 'dumper: {worker: {workMode: milvus2x}}' 'meta: {mode: config, collection: wide}' \
	"source: {milvus2x: {endpoint: '$src_URI'}}" "target: {milvus2x: {endpoint: 'localhost:1'}}" >"$T/migration.yaml"

# full CMD...: CMD with standard output on /dev/full exits 3 and says why
full() {
	expect_exit 3 "$@" >/dev/full
	grep -q "^$1: error: .*No space left on device" "$T/stderr" || { cat "$T/stderr" >&2; fail "$*: no ENOSPC message"; }
	[ "$(wc -l <"$T/stderr")" -le 2 ] || { cat "$T/stderr" >&2; fail "$*: too many messages"; }
}
full mvs-cat "$T/big.mvs"
full mvs-cat --header "$T/big.mvs"
full mvs-cat --verify "$T/big.mvs"
full mvs-map "$T/big.mvs"
full mvs-map --fields id,vec "$T/big.mvs"
full mvs-export --uri "$src_URI" --collection wide -q
full mvs-migrate start --dry-run -c "$T/migration.yaml"
note "standard output on /dev/full: exit 3 from mvs-cat, mvs-map, mvs-export, mvs-migrate"

# input that cannot be read is an I/O error (3), not a damaged stream (4)
for tool in "mvs-cat --verify" mvs-map "mvs-import --uri $src_URI"; do
	# shellcheck disable=SC2086
	expect_exit 3 $tool <"$T"
	grep -q "^${tool%% *}: error: read error at byte 0: Is a directory$" "$T/stderr" ||
		{ cat "$T/stderr" >&2; fail "${tool%% *} reading a directory: message"; }
	# shellcheck disable=SC2086
	expect_exit 3 $tool "$T/missing.mvs"
done
note "unreadable input: exit 3 from mvs-cat, mvs-map, mvs-import"

# no_output FILE WHAT: neither FILE nor FILE.part exists
no_output() {
	[ ! -e "$1" ] || fail "$2: $1 was left behind"
	[ ! -e "$1.part" ] || fail "$2: $1.part was left behind"
}

# ---- a file-size limit: EFBIG ----
for tool in "mvs-map $T/big.mvs" "mvs-export --uri $src_URI --collection wide -q"; do
	rc=0
	# shellcheck disable=SC2086
	(ulimit -f 64 && trap '' XFSZ && exec $tool -o "$T/limited.mvs") 2>"$T/stderr" || rc=$?
	[ $rc -eq 3 ] || { cat "$T/stderr" >&2; fail "${tool%% *} over ulimit -f: exit $rc, expected 3"; }
	grep -q "File too large" "$T/stderr" || { cat "$T/stderr" >&2; fail "${tool%% *} over ulimit -f: message"; }
	no_output "$T/limited.mvs" "${tool%% *} over ulimit -f"
done
note "-o FILE over a file-size limit: exit 3, no FILE, no FILE.part"

# ---- a full filesystem: ENOSPC ----
if command -v unshare >/dev/null && unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$T'" 2>/dev/null; then
	mkdir "$T/small"
	cat >"$T/enospc.sh" <<'EOF'
set -u
mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
cd "$1"
mvs-map -o out.mvs "$2" 2>"$3/map.err"; echo "map $?"
mvs-export --uri "$4" --collection wide -q -o out.mvs 2>"$3/export.err"; echo "export $?"
mvs-cat "$2" >out.json 2>"$3/cat.err"; echo "cat $?"
rm -f out.json
ls -A
EOF
	unshare -m bash "$T/enospc.sh" "$T/small" "$T/big.mvs" "$T" "$src_URI" >"$T/enospc.out" 2>&1 ||
		{ cat "$T/enospc.out" >&2; fail "the tmpfs test did not run"; }
	printf 'map 3\nexport 3\ncat 3\n' | cmp -s - "$T/enospc.out" ||
		{ cat "$T/enospc.out" "$T"/*.err >&2; fail "a full tmpfs: wrong exit statuses or files left behind"; }
	for t in map export cat; do
		grep -q "No space left on device" "$T/$t.err" || { cat "$T/$t.err" >&2; fail "mvs-$t on a full tmpfs: message"; }
	done
	note "a full filesystem: exit 3 from mvs-map -o, mvs-export -o, mvs-cat; nothing left behind"
else
	note "cannot mount a tmpfs in a private mount namespace here: full-filesystem case not run"
fi

# ---- killed mid-way with -o FILE ----
# The export is held by a stalled connection after ~100 kB of its pages, with FILE.part open. (A
# background job starts with SIGINT ignored, which the tools respect: env gives it back.)
sigs="TERM HUP KILL" reset_int=()
env --default-signal=INT true 2>/dev/null && sigs="$sigs INT" reset_int=(env --default-signal=INT)
for sig in $sigs; do
	proxy_start hold "$src_URI" --stall-after-bytes 100000
	"${reset_int[@]}" mvs-export --uri "$hold_URI" --collection wide --batch-size 200 -q -o "$T/killed.mvs" \
		2>"$T/stderr" &
	pid=$!
	wait_for_line "$hold_LOG" '^tcp-fault: stalled' "$pid"
	[ -s "$T/killed.mvs.part" ] || fail "SIG$sig: no data in killed.mvs.part yet"
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ $rc -gt 128 ] || fail "SIG$sig: mvs-export exited $rc, not by the signal"
	[ ! -e "$T/killed.mvs" ] || fail "SIG$sig: killed.mvs exists"
	if [ "$sig" = KILL ]; then
		# nothing can clean up after kill -9: the part file stays, and it is not a whole stream
		expect_exit 4 mvs-cat --verify "$T/killed.mvs.part"
		grep -q "truncated stream" "$T/stderr" || { cat "$T/stderr" >&2; fail "SIGKILL: killed.mvs.part is not truncated"; }
		rm -f "$T/killed.mvs.part"
	else
		no_output "$T/killed.mvs" "mvs-export killed by SIG$sig"
	fi
	kill "$hold_PID"
done
# mvs-map -o, its input held open half-way
mkfifo "$T/fifo"
mvs-map -o "$T/mapped.mvs" "$T/fifo" 2>"$T/stderr" &
pid=$!
exec 3>"$T/fifo"
head -c 200000 "$T/big.mvs" >&3
until [ -s "$T/mapped.mvs.part" ]; do sleep 0.05; done	# the header is written at once
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
exec 3>&-
[ $rc -eq 143 ] || fail "mvs-map killed by SIGTERM: exit $rc"
no_output "$T/mapped.mvs" "mvs-map killed by SIGTERM"
note "-o FILE killed by SIGTERM/SIGINT/SIGHUP: nothing left; by SIGKILL: only FILE.part, which fails --verify"
