#!/usr/bin/env bash
# The EXAMPLES of man/mvs-diff.1 run as written (the "$ " lines, in order, in one directory), with
# src.example:19530 and dst.example:19530 standing for test servers (src: books and notes; dst:
# books_old, see diff_seed.js), and each one's standard output must be the lines that follow it in the
# page, exactly; DIGEST stands for the digest mvs-cat prints for books.mvs. Nothing may go to stderr.
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start src
fake_start dst
node "$MVS_TOP/tests/shell/diff_seed.js" "$src_URI" books notes
node "$MVS_TOP/tests/shell/diff_seed.js" "$dst_URI" books_old

cd "$T"
sed -n '/^\.EX/,/^\.EE/p' "$MVS_TOP/man/mvs-diff.1" | sed 's/\\-/-/g; s/\\e/\\/g' >examples
grep -q '^\$ ' examples || fail "no examples found"

ran=0 cmd="" want=""
# run_example: runs $cmd, compares its output with $want
run_example() {
	[ -n "$cmd" ] || return 0
	local run=${cmd//src.example:19530/$src_URI} rc=0 digest
	run=${run//dst.example:19530/$dst_URI}
	bash -c "$run" >out 2>err </dev/null || rc=$?
	[ $rc -eq 0 ] || { cat err >&2; fail "exit $rc: $cmd"; }
	[ ! -s err ] || { cat err >&2; fail "printed on stderr: $cmd"; }
	if [ -e books.mvs ]; then
		digest=$(mvs-cat --digest books.mvs | cut -d' ' -f3)
		want=${want//DIGEST/$digest}
	fi
	printf '%s' "$want" | cmp -s - out || { diff <(printf '%s' "$want") out >&2; fail "output of: $cmd"; }
	ran=$((ran + 1))
	cmd="" want=""
}
while IFS= read -r line; do
	case "$line" in
	.EX) cmd="" want="" ;;
	.EE) run_example ;;
	'$ '*) run_example; cmd=${line#\$ } ;;
	*) want+="$line"$'\n' ;;
	esac
done <examples
note "$ran examples ran"
[ "$ran" -ge 8 ] || fail "only $ran examples ran"
