#!/usr/bin/env bash
# Bad streams against all three readers: mvs-cat --verify, mvs-map and mvs-import (truncation.sh
# covers mvs-cat and mvs-map on every cut and every flipped byte; this adds mvs-import to those and
# the bad values to all three).
# - A value that does not fit its field (wrong type, wrong vector length, vector not bin, Int32 out of
#   range, nil in a non-nullable field, string over max_length), in the first rows frame and in a later
#   one: mvs-cat --verify and mvs-map exit 4, mvs-import exits 8, each naming the row and the field;
#   mvs-map's output then carries an abort frame. From a bad first frame mvs-import creates nothing;
#   from a later one it writes exactly the rows it reports.
# - Every truncation point of a three-partition stream into mvs-import: exit 4 with the truncation
#   message; nothing created when the cut is in the header or the first rows frame; otherwise the
#   collection holds exactly the rows the report names.
# - Flipped bytes (every third byte) into mvs-import: never success; nothing created when the damage
#   shows in the header or first rows frame alone; otherwise exactly the rows reported are written
#   (a flip that leaves every frame readable and every value valid shows only in the checksum).
# - An unknown major version, a stream that is not mvs at all, empty input: exit 4, nothing created.
# Row counts come from the official Node SDK (tests/tools/rowcounts.js).
. "$MVS_TOP/tests/lib.sh"
need_node
badrows=$MVS_TESTTOOLS/mvs-badrows

fake_start dst
: >"$T/absent"		# collections that must not exist
: >"$T/counts.want"	# NAME ROWS the target must hold

# frames FILE: one line "KIND START END" per frame of the first unit (END: offset after it)
frames() {
	node -e '
		const d = require("fs").readFileSync(process.argv[1]);
		for (let i = 10; i + 5 <= d.length;) {
			const n = d.readUInt32LE(i + 1), k = String.fromCharCode(d[i]);
			console.log(k, i, i + 5 + n);
			i += 5 + n;
			if (k === "T" || k === "A") break;
		}' "$1"
}

# import_fails NAME CODES FILE: mvs-import of FILE into collection NAME exits with one of CODES (a
# space-separated list); stderr in $T/stderr. Records what the target must then hold: nothing, or
# exactly the rows the report names.
import_fails() {
	local name=$1 codes=" $2 " file=$3 rows rc=0
	mvs-import --uri "$dst_URI" --collection "$name" "$file" 2>"$T/stderr" || rc=$?
	case $codes in *" $rc "*) ;; *) cat "$T/stderr" >&2; fail "$name: mvs-import exit $rc, expected one of$codes" ;; esac
	rows=$(sed -n "s/^mvs-import: \([0-9]*\) rows were written into \"$name\": .*/\1/p" "$T/stderr")
	if [ -n "$rows" ]; then
		echo "$name $rows" >>"$T/counts.want"
	elif grep -q "^mvs-import: created collection \"$name\"$" "$T/stderr"; then
		grep -q "^mvs-import: no rows of this unit were written into \"$name\"$" "$T/stderr" ||
			{ cat "$T/stderr" >&2; fail "$name: created, but no report of the rows written"; }
		echo "$name 0" >>"$T/counts.want"
	else
		echo "$name" >>"$T/absent"
	fi
}

# ---- values that do not fit their fields ----
# 12 rows, 2 partitions of 6, frames of 3 rows: row 2 is in the first frame, row 9 in the third.
declare -A field=([type]=title [dim]=vec [vector]=vec [range]=cat [null]=title [length]=title)
values=0
for c in type dim vector range null length; do
	for r in 2 9; do
		"$badrows" --case "$c" --rows 12 --partitions 2 --frame-rows 3 --bad-row "$r" >"$T/bad.mvs"
		expect_exit 4 mvs-cat --verify "$T/bad.mvs"
		grep -q "^mvs-cat: error: $T/bad.mvs: unit 1 (collection \"bad\"), row $r: field \"${field[$c]}\": " \
			"$T/stderr" || { cat "$T/stderr" >&2; fail "$c at row $r: mvs-cat --verify message"; }
		expect_exit 4 mvs-map -o "$T/mapped.mvs" "$T/bad.mvs"
		grep -q "^mvs-map: error: $T/bad.mvs: unit 1 (collection \"bad\"), row $r: field \"${field[$c]}\": " \
			"$T/stderr" || { cat "$T/stderr" >&2; fail "$c at row $r: mvs-map message"; }
		[ ! -e "$T/mapped.mvs" ] || fail "$c at row $r: mvs-map -o left its output"
		rc=0
		mvs-map "$T/bad.mvs" 2>/dev/null | mvs-cat --verify 2>"$T/stderr" >/dev/null || rc=$?
		[ $rc -eq 5 ] && grep -q "upstream failed: mvs-map .*row $r: field \"${field[$c]}\"" "$T/stderr" ||
			{ cat "$T/stderr" >&2; fail "$c at row $r: mvs-map's output does not end in its abort frame"; }
		import_fails "v_${c}_$r" 8 "$T/bad.mvs"
		grep -q "^mvs-import: error: row $r, field \"${field[$c]}\": .* (unit 1, collection \"bad\")$" "$T/stderr" ||
			{ cat "$T/stderr" >&2; fail "$c at row $r: mvs-import message"; }
		if [ "$r" = 2 ]; then
			grep -qx "v_${c}_2" "$T/absent" || fail "$c in the first frame: mvs-import created or wrote something"
		fi
		values=$((values + 1))
	done
done
# the control: the same stream without damage passes all three
"$badrows" --case good --rows 12 --partitions 2 --frame-rows 3 >"$T/good.mvs"
mvs-cat --verify -q "$T/good.mvs" || fail "good stream: mvs-cat --verify"
mvs-cat "$T/good.mvs" >"$T/good.json"
mvs-map "$T/good.mvs" | mvs-cat | cmp -s - "$T/good.json" || fail "good stream: mvs-map changed its rows"
mvs-import --uri "$dst_URI" --collection v_good -q "$T/good.mvs" || fail "good stream: mvs-import"
echo "v_good 12" >>"$T/counts.want"
note "$values streams with a bad value rejected by mvs-cat --verify, mvs-map and mvs-import"

# ---- every cut of a three-partition stream ----
# header, then per partition a marker and a one-row frame, then the trailer
"$badrows" --case good --rows 3 --partitions 3 --frame-rows 1 >"$T/three.mvs"
size=$(wc -c <"$T/three.mvs")
frames "$T/three.mvs" >"$T/frames"
first_end=$(awk '$1 == "R" { print $3; exit }' "$T/frames")
[ "$(awk '{ printf "%s", $1 }' "$T/frames")" = HPRPRPRT ] || { cat "$T/frames" >&2; fail "unexpected frames"; }
for ((n = 0; n < size; n++)); do
	head -c "$n" "$T/three.mvs" >"$T/cut.mvs"
	import_fails "cut_$n" 4 "$T/cut.mvs"
	if [ "$n" -eq 0 ]; then
		grep -q "empty input: not an mvs stream" "$T/stderr" || fail "cut at 0: message"
	elif [ "$n" -lt 10 ]; then
		grep -q "$T/cut.mvs: truncated stream\|not an mvs stream" "$T/stderr" ||
			{ cat "$T/stderr" >&2; fail "cut at $n: message"; }
	else
		grep -q "^mvs-import: error: $T/cut.mvs: truncated stream: " "$T/stderr" ||
			{ cat "$T/stderr" >&2; fail "cut at $n: no truncation message"; }
	fi
	if [ "$n" -le "$first_end" ]; then
		grep -qx "cut_$n" "$T/absent" || fail "cut at byte $n (header or first frame): something was created"
	fi
done
note "$size cuts of a three-partition stream rejected by mvs-import (the first $first_end bytes create nothing)"

# ---- flipped bytes ----
"$badrows" --case good --rows 4 --partitions 2 --frame-rows 1 >"$T/orig.mvs"
frames "$T/orig.mvs" >"$T/frames"
first_end=$(awk '$1 == "R" { print $3; exit }' "$T/frames")
read -ra bytes <<<"$(od -An -v -tu1 "$T/orig.mvs" | tr -s ' \n' '  ')"
flips=0 early=0
for ((i = 0; i < ${#bytes[@]}; i += 3)); do
	cp "$T/orig.mvs" "$T/flip.mvs"
	printf -v flipped '\\%03o' $((bytes[i] ^ 1))
	printf "$flipped" | dd of="$T/flip.mvs" bs=1 seek="$i" conv=notrunc status=none
	import_fails "flip_$i" "4 8" "$T/flip.mvs"
	# Damage that a reader of the header and the first rows frame alone can see must stop the
	# import before it creates anything; other flips leave those bytes valid (a changed float, a
	# header that still parses) and only later frames or the trailer's checksum expose them.
	head -c "$first_end" "$T/flip.mvs" >"$T/start.mvs"
	mvs-cat --verify -q "$T/start.mvs" 2>"$T/verify" || true
	if ! grep -q "truncated stream" "$T/verify"; then
		grep -qx "flip_$i" "$T/absent" ||
			{ cat "$T/stderr" >&2; fail "byte $i flipped: damage in the header or first frame, yet something was created"; }
		early=$((early + 1))
	fi
	flips=$((flips + 1))
done
note "$flips flipped streams rejected by mvs-import ($early with visible damage in the header or first frame: nothing created)"

# ---- not this version, not a stream at all ----
cp "$T/orig.mvs" "$T/major.mvs"
printf '\002\000' | dd of="$T/major.mvs" bs=1 seek=8 conv=notrunc status=none
import_fails major 4 "$T/major.mvs"
grep -q "unsupported mvs stream version 2.0" "$T/stderr" || { cat "$T/stderr" >&2; fail "wrong major: message"; }
printf '{"id": 1}\n' >"$T/text"
import_fails text 4 "$T/text"
grep -q "not an mvs stream" "$T/stderr" || { cat "$T/stderr" >&2; fail "text: message"; }
import_fails empty 4 /dev/null
grep -q "empty input: not an mvs stream" "$T/stderr" || { cat "$T/stderr" >&2; fail "empty input: message"; }
# A compressed archive piped in as it is: named, with the tool that opens it.
gzip -c "$T/major.mvs" >"$T/archive.gz"
import_fails gzip 4 "$T/archive.gz"
grep -q "not an mvs stream but gzip-compressed data: decompress it first (zcat FILE" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "gzip: message"; }
zstd -q -c "$T/major.mvs" | import_fails zstd 4 -
grep -q "not an mvs stream but zstd-compressed data: decompress it first (zstdcat FILE" "$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "zstd: message"; }

# ---- what the target holds, as the official SDK sees it ----
node "$MVS_TOP/tests/tools/rowcounts.js" "$dst_URI" >"$T/counts.got" || fail "rowcounts failed"
while read -r name; do
	! grep -q "^$name " "$T/counts.got" || fail "collection $name exists: mvs-import created it from a bad stream"
done <"$T/absent"
sort "$T/counts.want" | diff - "$T/counts.got" >"$T/diff" ||
	{ cat "$T/diff" >&2; fail "the target's row counts differ from what mvs-import reported (< reported, > found)"; }
note "$(wc -l <"$T/absent") imports created nothing, $(wc -l <"$T/counts.want") hold exactly the rows reported"
