#!/usr/bin/env bash
# Every data type round-trips through mvs-map: without options the output is the input byte for
# byte; with settings or renames only, rows are copied verbatim; a selection that reorders every
# field and a second one that restores the order give back the original bytes, and every value of
# the reordered stream is unchanged (checked per field by an independent JSON parser).
. "$MVS_TOP/tests/lib.sh"
. "$MVS_TOP/tests/golden/compare.sh"
gen=$MVS_TESTTOOLS/mvs-gen

all_fields=id,b,i8,i16,i32,n_i64,f,d,name,tag,js,geo,doc,arr_i,arr_s,fv,bv,f16v,bf16v,i8v,sv,bm25
reversed=$(tr ',' '\n' <<<"$all_fields" | tac | paste -sd, -)

# check NAME GEN-ARGS...: the passthrough checks on one generated stream
check() {
	local name=$1; shift
	local in=$T/$name.mvs
	"$gen" "$@" >"$in"
	mvs-cat --verify "$in" >"$T/$name.verify" || fail "$name: the generated stream does not verify"
	mvs-cat "$in" >"$T/$name.jsonl"

	mvs-map "$in" >"$T/$name.same.mvs"
	cmp "$in" "$T/$name.same.mvs" || fail "$name: mvs-map without options changed bytes"
	mvs-map - <"$in" | cmp - "$in" || fail "$name: stdin passthrough changed bytes"

	mvs-map --description "copied" --consistency session --shards 2 --dynamic on "$in" \
		>"$T/$name.settings.mvs"
	mvs-cat --verify -q "$T/$name.settings.mvs" || fail "$name: settings output does not verify"
	mvs-cat "$T/$name.settings.mvs" | cmp - "$T/$name.jsonl" || fail "$name: settings changed rows"
	# the partition and rows frames are the same bytes; only the header and trailer differ
	body "$in" >"$T/body.in"
	body "$T/$name.settings.mvs" >"$T/body.out"
	[ -s "$T/body.in" ] || fail "$name: no rows frames found"
	cmp "$T/body.in" "$T/body.out" || fail "$name: settings changed the bytes of rows"
}

# body FILE: the bytes of the first unit between its header frame and its trailer frame
body() {
	local pos=10 size kind len start=
	size=$(wc -c <"$1")
	while [ "$pos" -lt "$size" ]; do
		kind=$(od -An -tc -j "$pos" -N 1 "$1" | tr -d ' ')
		len=$(od -An -tu4 -j $((pos + 1)) -N 4 "$1" | tr -d ' ')	# little-endian hosts
		[ -z "$start" ] && [ "$kind" = H ] && start=$((pos + 5 + len))
		[ "$kind" = T ] && break
		pos=$((pos + 5 + len))
	done
	head -c "$pos" "$1" | tail -c +$((start + 1))	# (tail reads all: no SIGPIPE)
}

check all-types --rows 60 --partitions 3
check units --rows 7 --units 3 --partitions 2
check varchar-pk --scenario varchar-pk --rows 40 --partitions 2
check wide --scenario wide --rows 500 --dim 96

# reorder every field of the all-types stream, then restore the order: the original bytes
in=$T/all-types.mvs
mvs-map -q --fields "$reversed" "$in" >"$T/reversed.mvs"
mvs-cat --verify -q "$T/reversed.mvs" || fail "reversed stream does not verify"
mvs-cat --header "$T/reversed.mvs" | grep -q '"fields":\[{"name":"bm25"' || fail "not reversed"
mvs-map -q --fields "$all_fields" "$T/reversed.mvs" | cmp - "$in" ||
	fail "reversing twice did not give the original bytes"
mvs-cat "$T/reversed.mvs" >"$T/reversed.jsonl"
same_rows "$T/all-types.jsonl" "$T/reversed.jsonl"
cat "$in" "$in" | mvs-map -q --fields "$reversed" | mvs-map -q --fields "$all_fields" |
	cmp - <(cat "$in" "$in") || fail "reversing twice, two units"

# each field alone (with the key and a vector) keeps its values
for f in b i8 i16 i32 n_i64 f d name tag js geo doc arr_i arr_s bv f16v bf16v i8v sv; do
	mvs-map -q --fields "$f,id,fv" "$in" >"$T/one.mvs"
	mvs-cat --verify -q "$T/one.mvs" || fail "--fields $f,id,fv does not verify"
	mvs-cat "$T/one.mvs" >"$T/one.jsonl"
	node -e '
		const fs = require("fs"), [a, b, f] = process.argv.slice(1);
		const rows = (p) => fs.readFileSync(p, "utf8").split("\n").filter(Boolean).map(JSON.parse);
		const x = rows(a), y = rows(b);
		if (x.length !== y.length) process.exit(1);
		x.forEach((r, i) => { for (const k of [f, "id", "fv", "$meta", "$partition"])
			if (JSON.stringify(r[k]) !== JSON.stringify(y[i][k])) {
				console.error(`row ${i + 1} ${k}`); process.exit(1); } });
	' "$T/all-types.jsonl" "$T/one.jsonl" "$f" || fail "--fields $f,id,fv changed values"
done

# selection on the wide stream
mvs-map -q --fields id,vec,title "$T/wide.mvs" | mvs-cat --verify | grep -q '^ok: collection gen_0, 500 rows' ||
	fail "wide selection"
