#!/usr/bin/env bash
# mvs-import against a server that pushes back: requests over the server's receive limit are split in
# halves until they fit (the result is exact); a single row over the limit fails with exit 6 and a
# message naming the row; rate-limited writes and flushes, and calls failing with UNAVAILABLE, are
# retried (Inserts retried as Upserts, so nothing is duplicated): the collection holds exactly the
# stream's rows. Rows are compared through mvs-export | mvs-cat with the generated stream. (Every
# data type under rate limits: import_scenarios.)
. "$MVS_TOP/tests/lib.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

# same_rows URI COLLECTION STREAM: the collection holds exactly the stream's rows (in the same order:
# the generated keys increase; the export marks even the default partition, the stream may not).
same_rows() {
	mvs-export --uri "$1" --collection "$2" -q | mvs-cat | sed 's/^{"\$partition":"_default",/{/' >"$T/got.json"
	mvs-cat "$3" | sed 's/^{"\$partition":"_default",/{/' >"$T/want.json"
	cmp -s "$T/want.json" "$T/got.json" ||
		fail "$2: rows differ ($(wc -l <"$T/want.json") expected, $(wc -l <"$T/got.json") found)"
}

"$gen" --scenario wide --rows 4000 --dim 128 >"$T/wide.mvs"

# ---- requests over the server's 256 KiB limit: halved until they fit ----
fake_start small --max-recv-bytes 262144
mvs-import --uri "$small_URI" --batch-bytes 4000000 --create-index --load "$T/wide.mvs" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "halving: import failed"; }
grep -q '^mvs-import: imported 4000 rows ' "$T/err" || fail "halving: summary"
same_rows "$small_URI" gen_0 "$T/wide.mvs"
note "requests of ~2 MB into a 256 KiB server: split, 4000 rows exact"

fake_start tiny --max-recv-bytes 65536
"$gen" --scenario wide --rows 3 --dim 20000 >"$T/huge.mvs"
expect_exit 6 mvs-import --uri "$tiny_URI" --collection huge "$T/huge.mvs"
grep -q '^mvs-import: error: row 1 alone is too large for one request' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "row over the limit: message"; }
note "a row over the server's limit: exit 6"

# ---- rate limits on writes and flushes, unavailable calls ----
fake_start busy --rate-limit-every 3 --flush-rate-limit 2 --unavailable-every 7
"$gen" --scenario wide --rows 6000 --dim 32 --partitions 3 >"$T/parts.mvs"
mvs-import --uri "$busy_URI" --batch-rows 100 --inflight 6 --create-index --load "$T/parts.mvs" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "busy server: import failed"; }
grep -q '^mvs-import: imported 6000 rows ' "$T/err" || fail "busy server: summary"
same_rows "$busy_URI" gen_0 "$T/parts.mvs"
note "every 3rd write rate-limited, 2 flushes refused, every 7th call unavailable: 6000 rows exact"
