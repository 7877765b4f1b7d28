#!/usr/bin/env bash
# A stream cut in the middle: mvs-import fails with exit 4, says how many rows it wrote and the last
# primary key written, and the resume it prints (mvs-export --partition P --filter 'pk > LAST', then the
# partitions after P) completes the copy with the exact row set and no duplicates, for Int64 keys and
# for VarChar keys with quotes, backslashes and non-ASCII text; re-running the whole stream with
# --mode upsert also gives the exact set. A stream cut inside its first rows frame creates and writes
# nothing; an upstream abort stops with exit 5 and the same report.
. "$MVS_TOP/tests/lib.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

fake_start src
fake_start dst

# The source collection "gen_0" comes from a generated stream; the stream to cut is its export, in
# primary-key order per partition as mvs-export writes it.
# Each partition spans three rows frames (about 1 MiB each), so the cut at 5/12 falls into the third
# frame of the first partition: the rows of the frames before it were sent, the rest were not.
"$gen" --scenario wide --rows 10000 --dim 128 --partitions 2 >"$T/wide.mvs"
"$gen" --scenario varchar-pk --rows 18000 --dim 64 --partitions 2 >"$T/vpk.mvs"

# resume NAME STREAM: copies STREAM's collection to dst as NAME through a cut and a resume.
resume() {
	local name=$1 stream=$2 size cut filter part rest
	sdk drop --uri "$src_URI" --collection gen_0 >/dev/null 2>&1 || true
	mvs-import --uri "$src_URI" --create-index --load -q "$stream"
	mvs-export --uri "$src_URI" --collection gen_0 -q -o "$T/full.mvs"
	size=$(wc -c <"$T/full.mvs")
	cut=$((size * 5 / 12))
	head -c "$cut" "$T/full.mvs" >"$T/cut.mvs"

	expect_exit 4 mvs-import --uri "$dst_URI" --collection "$name" --batch-rows 500 "$T/cut.mvs"
	cp "$T/stderr" "$T/report"
	grep -q "^mvs-import: error: $T/cut.mvs: truncated stream: EOF inside a rows frame at byte $cut" "$T/report" ||
		{ cat "$T/report" >&2; fail "$name: no truncation message"; }
	grep -Eq "^mvs-import: [0-9]+ rows were written into \"$name\": the stream's rows up to the last primary key written, .* in partition \".*\", and none after it$" \
		"$T/report" || { cat "$T/report" >&2; fail "$name: no rows/last key report"; }
	# the printed command, taken apart the way a user would copy it
	line=$(sed -n 's/^mvs-import: to resume, import the rest: //p' "$T/report")
	[ -n "$line" ] || { cat "$T/report" >&2; fail "$name: no resume command"; }
	eval "set -- ${line% | mvs-import (the same options)}"
	[ "$1 $2 $3 $4 $5" = "mvs-export --uri SOURCE --collection gen_0" ] || fail "$name: resume command: $line"
	part=$7 filter=$9
	[ "$6 $8" = "--partition --filter" ] || fail "$name: resume command: $line"
	grep -q "^mvs-import: then export the partitions after \"$part\" in the stream the same way, without --filter$" \
		"$T/report" || fail "$name: no note about the partitions after $part"
	# the partitions after $part, in header order
	rest=$(mvs-cat --header "$T/full.mvs" | node -e '
		const h = JSON.parse(require("fs").readFileSync(0, "utf8"));
		const p = h.partitions, i = p.indexOf(process.argv[1]);
		if (i < 0) process.exit(1);
		process.stdout.write(p.slice(i + 1).map((x) => "--partition " + x).join(" "));
	' "$part") || fail "$name: partition $part is not in the header"

	mvs-export --uri "$src_URI" --collection gen_0 --partition "$part" --filter "$filter" 2>"$T/err" |
		mvs-import --uri "$dst_URI" --collection "$name" -q || fail "$name: resume of $part failed"
	grep -Eq "^mvs-export: exported [1-9][0-9]* rows" "$T/err" ||
		{ cat "$T/err" >&2; fail "$name: the cut was not inside partition $part"; }
	# shellcheck disable=SC2086
	mvs-export --uri "$src_URI" --collection gen_0 $rest -q |
		mvs-import --uri "$dst_URI" --collection "$name" --create-index --load -q ||
		fail "$name: import of the partitions after $part failed"
	sdk dump --uri "$src_URI" --collection gen_0 --out "$T/src.jsonl"
	sdk dump --uri "$dst_URI" --collection "$name" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys collection.name >/dev/null ||
		fail "$name: resumed copy differs from the source"
	note "$name: cut at byte $cut of $size, resumed after key $filter in $part: $(($(wc -l <"$T/dst.jsonl") - 1)) rows exact"

	# the other resume: the whole stream again with --mode upsert
	expect_exit 4 mvs-import --uri "$dst_URI" --collection "${name}_u" --batch-rows 500 "$T/cut.mvs"
	grep -q "^mvs-import: or import the whole stream again with --mode upsert" "$T/stderr" ||
		{ cat "$T/stderr" >&2; fail "$name: no upsert advice"; }
	mvs-import --uri "$dst_URI" --collection "${name}_u" --mode upsert --create-index --load -q "$T/full.mvs" ||
		fail "$name: upsert re-run failed"
	sdk dump --uri "$dst_URI" --collection "${name}_u" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys collection.name >/dev/null ||
		fail "$name: upsert re-run differs from the source"
	note "$name: upsert re-run exact"
}

resume int_keys "$T/wide.mvs"
grep -Eq "filter 'id > [0-9]+'" "$T/report" || fail "int_keys: filter $(cat "$T/report")"
resume str_keys "$T/vpk.mvs"
grep -q "filter 'pk > \"key \\\\\"" "$T/report" || { cat "$T/report" >&2; fail "str_keys: the quote in the key is not escaped"; }

# Cut inside the first rows frame: nothing created, nothing written.
head -c 3000 "$T/full.mvs" >"$T/early.mvs"
expect_exit 4 mvs-import --uri "$dst_URI" --collection early "$T/early.mvs"
grep -q '^mvs-import: no rows of this unit were written into "early"$' "$T/stderr" || fail "early cut: report"
sdk call --uri "$dst_URI" --method HasCollection --request '{"collection_name":"early"}' | grep -q '"value":false' ||
	fail "early cut: the collection was created"

# An upstream abort after some frames: exit 5, with the report.
"$gen" --scenario wide --rows 9000 --dim 48 --abort-after 6000 >"$T/abort.mvs"
expect_exit 5 mvs-import --uri "$dst_URI" --collection aborted --batch-rows 1000 "$T/abort.mvs"
grep -q "^mvs-import: error: $T/abort.mvs: upstream failed: mvs-gen: simulated failure after 6000 rows$" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "abort: message"; }
grep -Eq '^mvs-import: [0-9]+ rows were written into "aborted"' "$T/stderr" || fail "abort: rows report"
note "early cut and upstream abort reported"
