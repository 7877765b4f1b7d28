#!/usr/bin/env bash
# mvs-cat --digest: the digests of 4 shards (Int64 keys with partitions and the extremes of int64;
# VarChar keys with quotes and astral characters) add up to the whole's, rows too; the digest does not
# change through an import and export (another collection name, other msgpack widths, other frames),
# and it does change with the rows; --fields, --ignore-pk and --ignore-partitions say so in the line;
# a pinned digest of a generated stream of every type holds the canonical form still; bad input and
# bad options fail as they should.
. "$MVS_TOP/tests/lib.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

fake_start src
fake_start dst
node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" ints words

# sum FILE: "ROWS DIGEST" summed over the digest lines of FILE (rows, and digests modulo 2^64)
sum() {
	node -e '
		let rows = 0n, sum = 0n;
		for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
			const [, r, d] = l.split(" ");
			rows += BigInt(r);
			sum = (sum + BigInt("0x" + d)) % (1n << 64n);
		}
		console.log(rows + " " + sum.toString(16).padStart(16, "0"));
	' "$1"
}

for c in ints words; do
	mvs-export -q --uri "$src_URI" --collection "$c" | mvs-cat --digest >"$T/whole" || fail "$c: digest"
	read -r name rows digest rest <"$T/whole"
	[ "$name" = "$c" ] && [ "$rows" -gt 250 ] && [ -z "$rest" ] || fail "$c: digest line: $(cat "$T/whole")"
	: >"$T/shards"
	for i in 0 1 2 3; do
		mvs-export -q --uri "$src_URI" --collection "$c" --shard "$i/4" | mvs-cat --digest >>"$T/shards" ||
			fail "$c: shard $i"
	done
	[ "$(sum "$T/shards")" = "$rows $digest" ] ||
		fail "$c: shards sum to $(sum "$T/shards"), the whole is $rows $digest: $(cat "$T/shards")"
	# no shard is the whole or empty: the sum is a real sum
	! grep -q " $digest\$" "$T/shards" && ! grep -q " 0 " "$T/shards" || fail "$c: shards $(cat "$T/shards")"
	note "$c: 4 shards $(cut -d' ' -f3 "$T/shards" | xargs) add up to $digest ($rows rows)"

	# a copy under another name, read back in pages of 7 rows: the same rows, the same digest
	mvs-export -q --uri "$src_URI" --collection "$c" |
		mvs-import -q --uri "$dst_URI" --collection "${c}_copy" --create-index --load || fail "$c: copy"
	mvs-export -q --uri "$dst_URI" --collection "${c}_copy" --batch-size 7 | mvs-cat --digest >"$T/copy"
	[ "$(cat "$T/copy")" = "${c}_copy $rows $digest" ] || fail "$c: copy digest $(cat "$T/copy") vs $digest"
done

# the rows matter: one row fewer is another digest
mvs-export -q --uri "$src_URI" --collection ints -o "$T/ints.mvs"
mvs-map --limit 399 "$T/ints.mvs" | mvs-cat --digest >"$T/less"
[ "$(cut -d' ' -f2 "$T/less")" = 399 ] && [ "$(cut -d' ' -f3 "$T/less")" != "$(cut -d' ' -f3 "$T/whole")" ] ||
	fail "one row fewer: $(cat "$T/less")"

# every type (JSON, sparse, nullable fields, arrays, the dynamic field...) written by the official SDK
# survives a copy with its digest: the canonical form is of decoded values, whatever the encoding
sdk seed --uri "$src_URI" --scenario all-types --expect "$T/at.expect" >/dev/null
mvs-export -q --uri "$src_URI" --collection all_types -o "$T/at.mvs"
mvs-import -q --uri "$dst_URI" --collection at_copy --create-index --load "$T/at.mvs" || fail "all-types copy"
a=$(mvs-cat --digest "$T/at.mvs")
b=$(mvs-export -q --uri "$dst_URI" --collection at_copy --batch-size 7 | mvs-cat --digest)
[ "${a#all_types }" = "${b#at_copy }" ] || fail "all-types: $a before, $b after a copy"
# pinned: a change to the canonical form (man/mvs-stream.5, DIGEST) changes every digest
"$gen" --scenario all-types --rows 50 --partitions 2 >"$T/all.mvs"
a=$(mvs-cat --digest "$T/all.mvs")
[ "$a" = "gen_0 50 6ee71899c0e8ac31" ] || fail "all-types digest changed: $a"

# options: named in the line, and they change the digest
mvs-cat --digest --ignore-pk "$T/all.mvs" >"$T/o1"
mvs-cat --digest --ignore-partitions "$T/all.mvs" >"$T/o2"
mvs-cat --digest --fields name,id "$T/all.mvs" >"$T/o3"
mvs-cat --digest --fields id,name "$T/all.mvs" >"$T/o4"
grep -q '^gen_0 50 [0-9a-f]\{16\} without-pk$' "$T/o1" || fail "--ignore-pk: $(cat "$T/o1")"
grep -q '^gen_0 50 [0-9a-f]\{16\} without-partitions$' "$T/o2" || fail "--ignore-partitions: $(cat "$T/o2")"
grep -q '^gen_0 50 [0-9a-f]\{16\} fields=name,id$' "$T/o3" || fail "--fields: $(cat "$T/o3")"
[ "$(cut -d' ' -f3 "$T"/o[1-4] | sort -u | wc -l)" -eq 4 ] || fail "options gave equal digests: $(cat "$T"/o[1-4])"
# several files, and units: a line per unit
cat "$T/all.mvs" "$T/ints.mvs" >"$T/two.mvs"
mvs-cat --digest "$T/two.mvs" "$T/all.mvs" >"$T/lines"
[ "$(cut -d' ' -f1 "$T/lines" | xargs)" = "gen_0 ints gen_0" ] || fail "several: $(cat "$T/lines")"

# bad input and options
head -c 3000 "$T/all.mvs" >"$T/cut.mvs"
expect_exit 4 mvs-cat --digest "$T/cut.mvs" >"$T/out"
grep -q '^mvs-cat: error: .*: truncated stream: ' "$T/stderr" || fail "truncated: $(cat "$T/stderr")"
[ ! -s "$T/out" ] || fail "a digest for a truncated unit: $(cat "$T/out")"
expect_exit 2 mvs-cat --digest --fields nope "$T/all.mvs"
grep -q '^mvs-cat: error: --fields: field "nope" is not in collection "gen_0"$' "$T/stderr" ||
	fail "--fields nope: $(cat "$T/stderr")"
expect_exit 2 mvs-cat --digest --verify "$T/all.mvs"
expect_exit 2 mvs-cat --ignore-pk "$T/all.mvs"
expect_exit 2 mvs-cat "$T/all.mvs" "$T/all.mvs"
note "digests: shards add up, copies agree, options named"
