#!/usr/bin/env bash
# Bad server answers are reported, never taken (tests/fake-milvus knobs): a reply that is not a
# protobuf message (to DescribeCollection, to a Query page, to an Insert), an empty Query page before
# the end of the rows, a page with a duplicate primary key. mvs-export exits 6 naming the call and
# ends its stream with an abort frame (mvs-import downstream: 5; -o FILE: no file); mvs-import exits 6
# and counts the rows of the unreadable answer as possibly written, so its resume (with --mode
# upsert) still gives the exact rows on a target that, like Milvus, keeps duplicate keys on Insert.
. "$MVS_TOP/tests/lib.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

"$gen" --scenario wide --rows 5000 --dim 8 --partitions 2 >"$T/w.mvs"

# bad_export NAME KNOB... MESSAGE: a source with the knob; the export fails with exit 6 and MESSAGE,
# with -o FILE leaves nothing, and on a pipe makes mvs-import fail with "upstream failed" and exit 5
bad_export() {
	local name=$1 message=${*: -1} uri
	fake_start "$name" "${@:2:$#-2}"
	uri=${name}_URI
	uri=${!uri}
	mvs-import --uri "$uri" --create-index --load -q "$T/w.mvs" || fail "$name: seeding failed"
	expect_exit 6 mvs-export --uri "$uri" --collection gen_0 --batch-size 500 -o "$T/out.mvs"
	grep -q "^mvs-export: error: $message" "$T/stderr" || { cat "$T/stderr" >&2; fail "$name: message"; }
	[ ! -e "$T/out.mvs" ] && [ ! -e "$T/out.mvs.part" ] || fail "$name: -o left a file"
	kill "${name}_PID" 2>/dev/null || true
	fake_start "$name" "${@:2:$#-2}"
	uri=${name}_URI
	uri=${!uri}
	mvs-import --uri "$uri" --create-index --load -q "$T/w.mvs" || fail "$name: seeding failed"
	rc=0
	mvs-export --uri "$uri" --collection gen_0 --batch-size 500 2>/dev/null |
		mvs-import --uri "$dst_URI" --collection "$name" 2>"$T/stderr" || rc=$?
	[ $rc -eq 5 ] && grep -q "^mvs-import: error: upstream failed: mvs-export [0-9.]*: $message" "$T/stderr" ||
		{ cat "$T/stderr" >&2; fail "$name: mvs-import downstream: exit $rc"; }
	note "$name: exit 6, abort frame downstream: $(sed -n 's/^mvs-import: error: upstream failed: mvs-export [0-9.]*: //p' "$T/stderr")"
}

fake_start dst --insert-duplicates
# (the DescribeCollection knob counts calls: the seeding import makes none, the export the first)
bad_export describe --malformed-reply DescribeCollection:1 \
	"DescribeCollection failed at 127.0.0.1:[0-9]*: cannot parse the 3-byte reply$"
bad_export query --malformed-reply Query:4 "Query failed at 127.0.0.1:[0-9]*: cannot parse the 3-byte reply$"
bad_export empty --empty-page-after 1500 \
	'Query of "gen_0" (partition "_default") answered an empty page, then 500 rows for the same page at the same snapshot: its pages cannot be trusted$'
bad_export dup --duplicate-key-page 2 \
	'Query of "gen_0" returned a bad page: field "id", row 502: primary key 501 after 501: keys must increase within a page$'

# An Insert answered with bytes that are not a reply: its rows may be in the target or not. The first
# batch is the first frame, all of _default in 5 requests; then part_1 in batches of one request: the
# 7th request is its second.
fake_start ins --malformed-reply Insert:7 --insert-duplicates
expect_exit 6 mvs-import --uri "$ins_URI" --batch-rows 500 --inflight 1 "$T/w.mvs"
cp "$T/stderr" "$T/report"
grep -q "^mvs-import: error: Insert failed at $ins_URI: cannot parse the 3-byte reply$" "$T/report" ||
	{ cat "$T/report" >&2; fail "Insert reply: message"; }
grep -q '^mvs-import: 3000 rows were written into "gen_0": the stream'"'"'s rows up to the last primary key written, 3000 in partition "part_1"$' "$T/report" ||
	{ cat "$T/report" >&2; fail "Insert reply: rows written"; }
grep -q '^mvs-import: 500 more rows went out in requests that failed without a clear answer' "$T/report" ||
	{ cat "$T/report" >&2; fail "Insert reply: the unreadable answer's rows are not reported as uncertain"; }
line=$(sed -n 's/^mvs-import: to resume, import the rest with --mode upsert, which replaces the rows that may be there: //p' "$T/report")
[ "$line" = "mvs-export --uri SOURCE --collection gen_0 --partition part_1 --filter 'id > 3000' | mvs-import --mode upsert (otherwise the same options)" ] ||
	{ cat "$T/report" >&2; fail "Insert reply: resume command"; }
# they are there: an Insert-mode resume would have doubled them
sdk create-index --uri "$ins_URI" --collection gen_0 --field vec --index-type HNSW --metric L2 >/dev/null
sdk load --uri "$ins_URI" --collection gen_0 >/dev/null
[ "$(sdk count --uri "$ins_URI" --collection gen_0)" = 3500 ] || fail "Insert reply: the uncertain rows are not in the target"
# the resume, from a source with the same rows (part_1 is the last partition)
fake_start src
mvs-import --uri "$src_URI" --create-index --load -q "$T/w.mvs"
mvs-export --uri "$src_URI" --collection gen_0 --partition part_1 --filter 'id > 3000' -q |
	mvs-import --uri "$ins_URI" --mode upsert --load -q || fail "Insert reply: the resume failed"
[ "$(sdk count --uri "$ins_URI" --collection gen_0)" = 5000 ] || fail "Insert reply: count(*) after the resume"
sdk dump --uri "$src_URI" --collection gen_0 --out "$T/src.jsonl" >/dev/null
sdk dump --uri "$ins_URI" --collection gen_0 --out "$T/dst.jsonl" >/dev/null
sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys indexes >/dev/null || fail "Insert reply: the resumed copy differs"
note "an unreadable Insert answer: exit 6, its rows reported as uncertain; the upsert resume gives 5000 rows exact"
