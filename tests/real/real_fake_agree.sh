#!/usr/bin/env bash
# The real Milvus 2.3.5 judges tests/fake-milvus: the fake, started with --version v2.3.5-lite (its
# Milvus 2.3 behaviour, tests/fake-milvus/compat.js), must answer as the real server does.
#  1. tests/real/real_fake_agree.py asks both the same questions over gRPC (about 400: errors of missing
#     collections and databases, CreateCollection rules, DescribeCollection, index and load, Insert and
#     Upsert validation, Query paging, expressions, repeated keys, shards, Delete, statistics,
#     partitions, INT64_MAX) and fails on any difference in code, legacy error_code, reason or data.
#  2. mvs on both: the same seeds (tests/real/judge.py, and repeated keys on two shards) exported from
#     each must give the same exit status, the same messages and the same rows and header.
. "$MVS_TOP/tests/real/lib.sh"
need_node
real=$MVS_REAL_SRC

fake_start F --version v2.3.5-lite
fake=$F_URI
cleanup_real() { "$MVS_REAL_PY" "$MVS_TOP/tests/real/real_fake_agree.py" --drop "$real" || true; }
trap 'cleanup_real; _real_cleanup' EXIT

agree=0
"$MVS_REAL_PY" "$MVS_TOP/tests/real/real_fake_agree.py" "$real" "$fake" >"$T/agree.out" 2>&1 || agree=$?
grep -E '^# ' "$T/agree.out" || true
[ "$agree" -eq 0 ] || { cat "$T/agree.out" >&2; fail "the fake and the real server disagree (above)"; }
note "$(tail -n 1 "$T/agree.out")"

# export NAME COLLECTION [mvs-export options...]: exports COLLECTION from both servers; the exit status,
# the messages (addresses and rates blanked), the rows (mvs-cat) and the header (its creation time
# aside) must be the same.
export_both() {
	local name=$1 coll=$2 side uri rc; shift 2
	for side in real fake; do
		[ $side = real ] && uri=$real || uri=$fake
		rc=0
		mvs-export --uri "$uri" --collection "$coll" -o "$T/$name.$side.mvs" "$@" 2>"$T/$name.$side.err" || rc=$?
		echo "exit $rc" >>"$T/$name.$side.err"
		sed -i -e "s/$uri/SERVER/g" -e 's/in [0-9.]* s ([0-9]* rows\/s)/in T s (R rows\/s)/' "$T/$name.$side.err"
		if [ -s "$T/$name.$side.mvs" ]; then
			mvs-cat "$T/$name.$side.mvs" >"$T/$name.$side.rows"
			mvs-cat --header "$T/$name.$side.mvs" | sed 's/"created":"[^"]*"//' >"$T/$name.$side.header"
		else
			: >"$T/$name.$side.rows"
			: >"$T/$name.$side.header"
		fi
	done
	diff "$T/$name.real.err" "$T/$name.fake.err" || fail "$name: mvs-export says other things on the fake"
	diff "$T/$name.real.header" "$T/$name.fake.header" || fail "$name: the headers differ"
}

for seed in all-types:agree_all:60:16 all-types-binary:agree_bin:50:64 partition-key:agree_pk:300:4 \
	vectors:agree_vec:500:8 int64-max:agree_max:20:4 auto-id:agree_auto:100:4; do
	IFS=: read -r scenario coll rows dim <<<"$seed"
	judge seed "$real" "$scenario" "$coll" --rows "$rows" --dim "$dim" --load >/dev/null
	judge seed "$fake" "$scenario" "$coll" --rows "$rows" --dim "$dim" --load >/dev/null
	export_both "$coll" "$coll"
	if [ "$scenario" = auto-id ]; then	# keys the servers made: everything else
		for side in real fake; do sed -i 's/"pk":[0-9]*,//' "$T/$coll.$side.rows"; done
	fi
	cmp -s "$T/$coll.real.rows" "$T/$coll.fake.rows" ||
		{ diff "$T/$coll.real.rows" "$T/$coll.fake.rows" | head -n 20 >&2; fail "$coll: the rows differ"; }
	note "$scenario: $(wc -l <"$T/$coll.real.rows") rows, $(tail -n 1 "$T/$coll.real.err"), the same from both"
done
has_line "$T/agree_max.real.err" "the INT64_MAX row was not named" -F '9223372036854775807 (INT64_MAX)'

"$MVS_REAL_PY" "$MVS_TOP/tests/real/real_fake_agree.py" --seed-duplicates agree_dup "$real" "$fake"
export_both agree_dup agree_dup --batch-size 50
cmp -s "$T/agree_dup.real.rows" "$T/agree_dup.fake.rows" || fail "agree_dup: the rows differ"
has_line "$T/agree_dup.real.err" "no warning about the repeated keys" -F 'count(*) said 331 rows'
note "repeated keys on two shards: $(wc -l <"$T/agree_dup.real.rows") rows and the same warning from both"
