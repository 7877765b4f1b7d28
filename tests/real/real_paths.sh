#!/usr/bin/env bash
# The pipelines between two real Milvus 2.3 servers, every result judged by pymilvus: export | import
# (schema, 3 shards, Session consistency, dynamic field, partitions and the HNSW index as the source had
# them; --load leaves the target loaded, without it it is not), mvs-map --fields and --rename, --all of
# a non-default database to an archive file checked by mvs-cat --verify (a damaged copy refused) and
# imported into another database (--create-db; refused without it), --filter with --partition, and
# 4 concurrent --shard pipelines into one collection, for Int64 and for VarChar keys.
# The checks run as parallel jobs: Milvus 2.3 takes about 5 s to load each collection pymilvus reads.
. "$MVS_TOP/tests/real/lib.sh"
. "$MVS_TOP/tests/real/paths.bash"
src=$MVS_REAL_SRC dst=$MVS_REAL_DST

# books: Int64 keys; docs: VarChar keys with quotes, backslashes and multi-byte characters; in the
# database srcdb a second VarChar-keyed collection and a vectors one (seeded one after the other: the
# first creates srcdb). Each source is read by pymilvus once.
seed() { judge seed "$src" "$@" --dim 8 --index --load >/dev/null; }
in_background eval 'seed paths books --rows 3000 && dump "$src" books src.books'
in_background eval 'seed paths-varchar docs --rows 2000 && dump "$src" docs src.docs'
in_background eval 'seed paths-varchar notes --db srcdb --rows 700 && seed vectors vecs --db srcdb --rows 1500 &&
	dump "$src" notes srcdb.notes --db srcdb && dump "$src" vecs srcdb.vecs --db srcdb'
wait_background "seeding the source"

plain() {
	mvs-export --uri "$src" --collection books -q | mvs-import --uri "$dst" --create-index --load -q ||
		fail "books: export | import failed"
	[ "$(judge loaded "$dst" books)" = Loaded ] || fail "books: --load did not leave the target loaded"
	dump "$dst" books dst.books
	diff "$T/src.books.schema" "$T/dst.books.schema" ||
		fail "books: the target's schema, shards, consistency, partitions or indexes differ"
	grep -q '"num_shards": 3' "$T/dst.books.schema" && grep -q '"consistency_level": 1' "$T/dst.books.schema" &&
		grep -q '"HNSW"' "$T/dst.books.schema" || fail "books: the source was not seeded as this test expects"
	judge compare "$T/src.books.jsonl" "$T/dst.books.jsonl" || fail "books: rows differ"
	grep -q '"dyn"' "$T/dst.books.jsonl" || fail "books: no dynamic field values in the target"
	note "export | import: 3000 rows, schema, 3 shards, Session, HNSW index, partitions equal; loaded"
}

map_fields() {
	mvs-export --uri "$src" --collection docs -q | mvs-map --fields id,vec,year --collection docs_fields -q |
		mvs-import --uri "$dst" --create-index -q || fail "docs: export | map --fields | import failed"
	[ "$(judge loaded "$dst" docs_fields)" = NotLoad ] || fail "docs_fields: loaded without --load"
	dump "$dst" docs_fields dst.docs_fields
	[ "$(jq -c '[.fields[].name]' "$T/dst.docs_fields.schema")" = '["id","vec","year"]' ] ||
		fail "docs_fields: the fields are not id, vec, year in this order"
	judge compare "$T/src.docs.jsonl" "$T/dst.docs_fields.jsonl" --fields id,vec,year,dyn ||
		fail "docs_fields: rows differ"
	same_keys "$T/dst.docs_fields.jsonl" id,vec,year,dyn
	note "map --fields id,vec,year: VarChar keys, those fields and the dynamic field equal, nothing else; not loaded"
}

map_rename() {
	mvs-export --uri "$src" --collection books -q |
		mvs-map --rename title:name,vec:embedding --collection books_renamed -q |
		mvs-import --uri "$dst" --create-index -q || fail "books: export | map --rename | import failed"
	dump "$dst" books_renamed dst.books_renamed
	[ "$(jq -c '[.fields[].name]' "$T/dst.books_renamed.schema")" = '["id","name","year","meta","embedding"]' ] ||
		fail "books_renamed: fields are not renamed: $(jq -c '[.fields[].name]' "$T/dst.books_renamed.schema")"
	[ "$(jq -c .indexes "$T/dst.books_renamed.schema")" = '[["embedding","HNSW","L2","{\"M\": 8, \"efConstruction\": 64}"]]' ] ||
		fail "books_renamed: the index did not follow the renamed field: $(jq -c .indexes "$T/dst.books_renamed.schema")"
	judge compare "$T/src.books.jsonl" "$T/dst.books_renamed.jsonl" --rename title=name,vec=embedding ||
		fail "books_renamed: rows differ"
	note "map --rename title:name,vec:embedding: rows, partitions and the index under the new names"
}

# A non-default database, --all: a concatenated stream of two collections in a file, verified, then a
# damaged copy and a cut copy refused, then imported into another database that --create-db makes.
archive_db() {
	local size c
	mvs-export --uri "$src" --db srcdb --all -q -o "$T/srcdb.mvs" || fail "export --db srcdb --all -o failed"
	[ ! -e "$T/srcdb.mvs.part" ] || fail "srcdb.mvs.part left after a successful export"
	mvs-cat --verify "$T/srcdb.mvs" >"$T/srcdb.verify" || fail "mvs-cat --verify refused the archive"
	size=$(stat -c %s "$T/srcdb.mvs")
	[ "$(sed 's/.* \([0-9]*\) bytes$/\1/' "$T/srcdb.verify" | paste -sd+ | bc)" = "$size" ] ||
		fail "mvs-cat --verify: the units' bytes do not add up to the file's $size"
	printf '%s\n' 'ok: collection notes, 700 rows, 3 partitions' 'ok: collection vecs, 1500 rows, 1 partition' |
		diff - <(sed 's/, [0-9]* bytes$//' "$T/srcdb.verify") || fail "export --all: not the two units of srcdb in name order"
	cp "$T/srcdb.mvs" "$T/flipped.mvs"
	printf '\x5a' | dd of="$T/flipped.mvs" bs=1 seek=$((size / 2)) conv=notrunc status=none
	cmp -s "$T/srcdb.mvs" "$T/flipped.mvs" && printf '\xa5' | dd of="$T/flipped.mvs" bs=1 seek=$((size / 2)) conv=notrunc status=none
	expect_exit 4 mvs-cat --verify -q "$T/flipped.mvs"
	head -c $((size - 7)) "$T/srcdb.mvs" >"$T/cut.mvs"
	expect_exit 4 mvs-cat --verify -q "$T/cut.mvs"
	expect_exit 6 mvs-import --uri "$dst" --db dstdb -q "$T/srcdb.mvs"
	has_line "$T/stderr" "a missing database is not named" -F 'database "dstdb" does not exist'
	mvs-import --uri "$dst" --db dstdb --create-db --create-index -q "$T/srcdb.mvs" ||
		fail "importing the archive with --create-db failed"
	for c in notes vecs; do
		dump "$dst" "$c" dstdb.$c --db dstdb
		diff "$T/srcdb.$c.schema" "$T/dstdb.$c.schema" || fail "dstdb.$c: the schema differs"
		judge compare "$T/srcdb.$c.jsonl" "$T/dstdb.$c.jsonl" --pk id || fail "dstdb.$c: rows differ"
	done
	[ "$(judge exists "$dst" vecs)" = no ] || fail "vecs was created in the default database"
	note "--db srcdb --all -o FILE: verified (a flipped byte, a cut file: exit 4); imported into dstdb by --create-db (without: exit 6), both equal"
}

filter_partition() {
	mvs-export --uri "$src" --collection books --filter 'year >= 2010 and year < 2015' \
		--partition p_two --partition _default -q |
		mvs-import --uri "$dst" --collection books_some --create-index -q || fail "export --filter --partition | import failed"
	subset "$T/src.books.jsonl" "$T/want.some.jsonl" '2010 <= r["year"] < 2015 and p in ("p_two", "_default")'
	dump "$dst" books_some dst.books_some
	[ "$(jq -c .partitions "$T/dst.books_some.schema")" = '["_default","p_two"]' ] ||
		fail "books_some: partitions are not _default and p_two"
	judge compare "$T/want.some.jsonl" "$T/dst.books_some.jsonl" ||
		fail "books_some: not the rows of the filter in p_two and _default"
	note "--filter with --partition p_two --partition _default: exactly those $(wc -l <"$T/want.some.jsonl") rows, no p_one"
}

# shards COLLECTION: 4 pipelines at once, each one shard, into COLLECTION_sharded.
shards() {
	local coll=$1 i n total=0 want pids=()
	for i in 0 1 2 3; do
		( mvs-export --uri "$src" --collection "$coll" --shard $i/4 |
			mvs-import --uri "$dst" --collection "${coll}_sharded" --shard $i/4 --create-index --load ) \
			>"$T/shard.$coll.$i.out" 2>&1 &
		pids[i]=$!
	done
	for i in 0 1 2 3; do
		wait "${pids[i]}" || { cat "$T/shard.$coll.$i.out" >&2; fail "$coll: shard $i/4 failed"; }
	done
	for i in 0 1 2 3; do
		n=$(sed -n 's/^mvs-import: imported \([0-9]*\) rows .*/\1/p' "$T/shard.$coll.$i.out")
		[ -n "$n" ] && [ "$n" -gt 0 ] || { cat "$T/shard.$coll.$i.out" >&2; fail "$coll: shard $i/4 imported no rows"; }
		total=$((total + n))
	done
	want=$(wc -l <"$T/src.$coll.jsonl")
	[ "$total" = "$want" ] || fail "$coll: the shards imported $total rows, not $want"
	[ "$(judge count "$dst" "${coll}_sharded")" = "$want" ] || fail "${coll}_sharded: count(*) is not $want"
	dump "$dst" "${coll}_sharded" "dst.${coll}_sharded"
	judge compare "$T/src.$coll.jsonl" "$T/dst.${coll}_sharded.jsonl" --pk id || fail "${coll}_sharded: rows differ"
	note "--shard I/4, 4 pipelines at once: ${coll}_sharded equal, count(*) $want ($(grep -h '^mvs-import: imported' "$T"/shard.$coll.*.out | cut -d' ' -f3 | paste -sd+) rows)"
}

in_background plain
in_background map_fields
in_background map_rename
wait_background "export | import, mvs-map"
in_background archive_db
in_background filter_partition
in_background shards books
in_background shards docs
wait_background "archive, databases, filter, partitions, shards"
