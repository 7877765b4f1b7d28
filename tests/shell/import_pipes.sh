#!/usr/bin/env bash
# Streams that went through files and pipes: an export archived with `gzip -c > file` and imported
# later through `zcat file | mvs-import` gives the same collection as the source; two exports
# concatenated into one stream (`cat a b | mvs-import`) both arrive, each with its summary line; with
# --collection every unit goes into the one named collection (the second appends to the first).
. "$MVS_TOP/tests/lib.sh"
need_node
command -v gzip >/dev/null || { echo "gzip is not installed"; exit 77; }

fake_start src
fake_start dst

sdk seed --uri "$src_URI" --scenario all-types >/dev/null
sdk seed --uri "$src_URI" --scenario varchar-pk >/dev/null

# ---- archived with gzip, imported later ----
mvs-export --uri "$src_URI" --collection all_types -q | gzip -c >"$T/all.mvs.gz"
zcat "$T/all.mvs.gz" | mvs-import --uri "$dst_URI" --create-index --load -q - || fail "zcat | mvs-import failed"
sdk dump --uri "$src_URI" --collection all_types --out "$T/src.jsonl"
sdk dump --uri "$dst_URI" --collection all_types --out "$T/dst.jsonl"
sdk compare "$T/src.jsonl" "$T/dst.jsonl" >/dev/null || fail "gzip archive: the copy differs"
note "gzip -c > file; zcat file | mvs-import: identical"

# ---- two collections in one concatenated stream ----
mvs-export --uri "$src_URI" --collection all_types -q -o "$T/a.mvs"
mvs-export --uri "$src_URI" --collection varchar_pk -q -o "$T/b.mvs"
sdk drop --uri "$dst_URI" --collection all_types
cat "$T/a.mvs" "$T/b.mvs" | mvs-import --uri "$dst_URI" --create-index --load 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "two concatenated units: import failed"; }
grep -q '^mvs-import: imported 60 rows .* into all_types in ' "$T/err" || fail "first unit: no summary"
grep -q '^mvs-import: imported 40 rows .* into varchar_pk in ' "$T/err" || fail "second unit: no summary"
for c in all_types varchar_pk; do
	sdk dump --uri "$src_URI" --collection "$c" --out "$T/src.jsonl"
	sdk dump --uri "$dst_URI" --collection "$c" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" >/dev/null || fail "concatenated stream: $c differs"
done
note "cat a.mvs b.mvs | mvs-import: both collections identical"

# ---- --collection applies to every unit: the second unit appends ----
mvs-export --uri "$src_URI" --collection varchar_pk --partition p1 -q -o "$T/p1.mvs"
mvs-export --uri "$src_URI" --collection varchar_pk --partition p2 --partition _default -q -o "$T/rest.mvs"
cat "$T/p1.mvs" "$T/rest.mvs" | mvs-import --uri "$dst_URI" --collection merged --create-index --load 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "--collection with two units failed"; }
[ "$(grep -c '^mvs-import: imported .* into merged in ' "$T/err")" = 2 ] || fail "--collection: two summaries"
sdk dump --uri "$src_URI" --collection varchar_pk --out "$T/src.jsonl"
sdk dump --uri "$dst_URI" --collection merged --out "$T/dst.jsonl"
sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys collection.name >/dev/null ||
	fail "--collection: the merged collection differs from the source"
# a unit with another schema is refused by the collection the first unit created
expect_exit 8 mvs-import --uri "$dst_URI" --collection merged "$T/a.mvs"
grep -q 'collection "merged" exists with a different schema' "$T/stderr" || fail "--collection: mismatch message"
note "--collection: two units into one collection, a third with another schema refused"
