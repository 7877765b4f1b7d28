#!/usr/bin/env bash
# Importers that share a collection, as a new user runs them: four `mvs-export --shard I/4 | mvs-import`
# pipelines at once with no --shard on mvs-import fill one new collection exactly (the creations race;
# each import takes its shard from the stream's header and verifies its own keys). Two plain streams
# (disjoint key filters) into one new collection at once both succeed and give the exact rows (with
# --load each verifies its own keys when the other's rows are there too). A --shard that contradicts
# the header is refused before anything is written.
. "$MVS_TOP/tests/lib.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src
fake_start dst
node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" ints words

# same COLLECTION: the target holds exactly the source's rows
same() {
	sdk dump --uri "$src_URI" --collection "$1" --out "$T/src.jsonl"
	sdk dump --uri "$dst_URI" --collection "$1" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" >"$T/compare" || { cat "$T/compare" >&2; fail "$1 differs"; }
}

for c in ints words; do
	pids=()
	for i in 0 1 2 3; do
		mvs-export --uri "$src_URI" --collection "$c" --shard "$i/4" -q |
			mvs-import --uri "$dst_URI" --create-index --load 2>"$T/$c.$i.err" &
		pids+=("$!")
		_pids+=("$!")
	done
	for i in 0 1 2 3; do
		wait "${pids[$i]}" || { cat "$T/$c.$i.err" >&2; fail "$c: shard $i/4's import failed"; }
	done
	same "$c"
	note "$c: four shard pipelines without --shard on mvs-import, exact"
done

# two plain streams into one new collection at once
sdk drop --uri "$dst_URI" --collection books >/dev/null 2>&1 || true
node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" books
mvs-export --uri "$src_URI" --collection books --filter 'id < 0' -q -o "$T/low.mvs"
mvs-export --uri "$src_URI" --collection books --filter 'id >= 0' -q -o "$T/high.mvs"
mvs-import --uri "$dst_URI" --create-index --load "$T/low.mvs" 2>"$T/low.err" & a=$!
mvs-import --uri "$dst_URI" --create-index --load "$T/high.mvs" 2>"$T/high.err" & b=$!
_pids+=("$a" "$b")
wait "$a" || { cat "$T/low.err" >&2; fail "the first of two streams failed"; }
wait "$b" || { cat "$T/high.err" >&2; fail "the second of two streams failed"; }
same books
note "two streams into one new collection at once, exact"

# a --shard that contradicts the header
mvs-export --uri "$src_URI" --collection ints --shard 1/4 -q -o "$T/s1.mvs"
expect_exit 2 mvs-import --uri "$dst_URI" --collection other --shard 2/4 "$T/s1.mvs"
grep -qF -- '--shard 2/4 but the stream is shard 1/4 (its header says so; leave --shard out)' "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "the contradiction is not named"; }
sdk call --uri "$dst_URI" --method HasCollection --request '{"collection_name":"other"}' | grep -q '"value":false' ||
	fail "a contradicting --shard created the collection"
note "a contradicting --shard is refused before anything is written"
