#!/usr/bin/env bash
# mvs-export | mvs-import of every seed scenario into a second server gives a collection that the
# official Node SDK reads back identical to the source (schema with every field property, functions,
# partitions, indexes, and every value): every data type with nulls, defaults and a dynamic field;
# VarChar keys with quotes, backslashes and non-ASCII text in named partitions; a partition key; auto-ID
# keys (kept, through allow_insert_auto_id: the one property the target has in addition); a BM25
# function; a wide vector collection. The target rate-limits every 3rd write (retried, still exact).
# Also the summary line, the created collection's row count check,
# and the same import with small batches and several requests in flight (quiet: no output at all).
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start src
fake_start dst --rate-limit-every 3

# check SCENARIO COLLECTION [seed options...]: seeds the source, copies it, compares the two dumps.
check() {
	local scenario=$1 collection=$2; shift 2
	local ignore=""
	[ "$scenario" = auto-id ] && ignore=collection.properties.allow_insert_auto_id
	sdk seed --uri "$src_URI" --scenario "$scenario" "$@" >/dev/null
	local rows
	rows=$(sdk count --uri "$src_URI" --collection "$collection")
	mvs-export --uri "$src_URI" --collection "$collection" -q |
		mvs-import --uri "$dst_URI" --create-index --load 2>"$T/err" ||
		{ cat "$T/err" >&2; fail "$scenario: import failed"; }
	grep -Eq "^mvs-import: imported $rows rows \([0-9]+ bytes\) into $collection in [0-9.]+ s \([0-9]+ rows/s\)$" \
		"$T/err" || { cat "$T/err" >&2; fail "$scenario: no summary line for $rows rows"; }
	grep -q "^mvs-import: created collection \"$collection\"$" "$T/err" || fail "$scenario: not created"
	sdk dump --uri "$src_URI" --collection "$collection" --out "$T/src.jsonl"
	sdk dump --uri "$dst_URI" --collection "$collection" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" ${ignore:+--ignore-schema-keys "$ignore"} >/dev/null ||
		fail "$scenario: the imported collection differs from the source"
	note "$scenario: $rows rows, schema and values identical"
}

check all-types all_types
grep -q '"\$partition":"p2"' "$T/dst.jsonl" || fail "all-types: rows of partition p2 missing"
grep -q '"bool":null' "$T/dst.jsonl" || fail "all-types: no null values"
check varchar-pk varchar_pk
grep -q '"pk":"mix\\\\\\"'"'"'end"' "$T/dst.jsonl" || fail "varchar-pk: key with quotes and backslashes"
check partition-key partition_key
grep -q '"num_partitions":8' "$T/dst.jsonl" || fail "partition-key: num_partitions"
check auto-id auto_id
grep -q '"allow_insert_auto_id":"true"' "$T/dst.jsonl" || fail "auto-id: allow_insert_auto_id not set"
grep -q '"auto_id":true' "$T/dst.jsonl" || fail "auto-id: the key is no longer auto-ID"
check bm25 bm25
grep -q '"function_output":true' "$T/dst.jsonl" || fail "bm25: function output field"
check wide wide --dim 32

# Small requests, several in flight, rows of all types: the same collection again.
sdk drop --uri "$dst_URI" --collection all_types
mvs-export --uri "$src_URI" --collection all_types -q |
	mvs-import --uri "$dst_URI" --create-index --load --batch-rows 7 --inflight 5 -q 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "all-types with 7-row requests: import failed"; }
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "-q still printed on success"; }
sdk dump --uri "$src_URI" --collection all_types --out "$T/src.jsonl"
sdk dump --uri "$dst_URI" --collection all_types --out "$T/dst.jsonl"
sdk compare "$T/src.jsonl" "$T/dst.jsonl" >/dev/null || fail "all-types with 7-row requests differs"
note "all-types again in 7-row requests, 5 in flight: identical"
