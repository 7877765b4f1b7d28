#!/usr/bin/env bash
# Size: 200,000 rows at dim 128 and 50,000 rows at dim 768 through export | import between two real
# servers, every row checked by pymilvus (a SHA-256 of each canonical row, by key).
. "$MVS_TOP/tests/real/lib.sh"
src=$MVS_REAL_SRC dst=$MVS_REAL_DST

for size in 200000x128 50000x768; do
	rows=${size%x*} dim=${size#*x} coll=size_$size
	judge seed "$src" vectors "$coll" --rows "$rows" --dim "$dim" --load >/dev/null
	mvs-export --uri "$src" --collection "$coll" -q | mvs-import --uri "$dst" --create-index --load -q ||
		fail "$coll: export | import failed"
	[ "$(judge count "$dst" "$coll")" = "$rows" ] || fail "$coll: count(*) in the target is not $rows"
	judge dump "$src" "$coll" "$T/src.jsonl" --digest
	judge dump "$dst" "$coll" "$T/dst.jsonl" --digest
	[ "$(wc -l <"$T/dst.jsonl")" = "$rows" ] || fail "$coll: pymilvus reads $(wc -l <"$T/dst.jsonl") rows, not $rows"
	judge compare "$T/src.jsonl" "$T/dst.jsonl" || fail "$coll: rows differ"
	note "$rows rows at dim $dim: equal"
done
