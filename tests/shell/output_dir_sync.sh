#!/usr/bin/env bash
# -o FILE: after FILE.part is synced and renamed to FILE, the directory holding it is synced too, so
# that the new name survives a crash (seen with strace: rename, then open and fsync of the directory).
# mvs-map and mvs-export share this code (cmd/common/mvs_cli.c, mvs_output_commit).
. "$MVS_TOP/tests/lib.sh"
command -v strace >/dev/null || { echo "strace is not installed"; exit 77; }
strace -o /dev/null true 2>/dev/null || { echo "strace cannot trace here"; exit 77; }

"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows 20 --dim 2 >"$T/in.mvs"
mkdir "$T/sub"
strace -e trace=rename,renameat,renameat2,openat,open,fsync,close -o "$T/trace" \
	mvs-map -o "$T/sub/out.mvs" "$T/in.mvs" || fail "mvs-map -o failed"
mvs-cat --verify -q "$T/sub/out.mvs" || fail "the output is not whole"
# the rename, then the directory opened and that descriptor synced
awk -v dir="\"$T/sub\"" '
	/rename.*out\.mvs\.part.*out\.mvs"/ { renamed = 1; next }
	renamed && /open/ && index($0, dir) && /O_DIRECTORY/ { split($0, a, "= "); fd = a[2] + 0; next }
	fd != "" && $0 ~ "^fsync\\(" fd "\\) += 0" { synced = 1 }
	END { exit !synced }
' "$T/trace" || { cat "$T/trace" >&2; fail "the directory was not synced after the rename"; }
note "rename, then fsync of the directory"
