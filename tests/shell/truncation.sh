#!/usr/bin/env bash
# Damaged input is never taken for a complete stream: a small all-types stream cut at every byte is
# rejected by mvs-cat --verify and mvs-map with exit 4 (and mvs-map's own output then carries an
# abort frame: exit 5 downstream); so are a two-unit stream cut anywhere in its second unit and a
# stream with each byte flipped in turn (mvs-map on a sample of those, to keep the test quick under
# sanitizers); plus a wrong major version, bad magic, input that is not a stream, empty input,
# bytes after a trailer, and abort frames passed through with exit 5.
. "$MVS_TOP/tests/lib.sh"
gen=$MVS_TESTTOOLS/mvs-gen

# expect CODE CMD...: like expect_exit, stdout discarded
expect() {
	local want=$1 rc=0; shift
	"$@" >/dev/null 2>"$T/stderr" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$T/stderr" >&2; fail "expected exit $want, got $rc: $*"; }
}

# ---- every cut of a small stream (header, partition markers, rows frames, trailer) ----
s=$T/small.mvs
"$gen" --rows 2 --partitions 2 --dim 2 >"$s"
size=$(wc -c <"$s")
expect 0 mvs-cat --verify "$s"
for ((n = 0; n < size; n++)); do
	head -c "$n" "$s" >"$T/cut"
	rc=0
	mvs-cat --verify -q "$T/cut" 2>/dev/null || rc=$?
	[ $rc -eq 4 ] || fail "cut at byte $n of $size: mvs-cat --verify exit $rc, expected 4"
	rc=0
	mvs-map -q "$T/cut" >"$T/mapped" 2>/dev/null || rc=$?
	[ $rc -eq 4 ] || fail "cut at byte $n of $size: mvs-map exit $rc, expected 4"
	if ((n % 13 == 0)); then
		rc=0
		mvs-cat --verify -q "$T/mapped" 2>/dev/null || rc=$?
		[ $rc -eq 5 ] || fail "cut at byte $n: mvs-map's output gave exit $rc, expected 5"
		rc=0
		mvs-cat "$T/cut" >/dev/null 2>&1 || rc=$?
		[ $rc -eq 4 ] || fail "cut at byte $n: mvs-cat exit $rc, expected 4"
	fi
done
note "$size cuts rejected"
head -c $((size - 1)) "$s" >"$T/cut"
expect 4 mvs-cat --verify "$T/cut"
grep -q "truncated stream: EOF inside a trailer frame" "$T/stderr" || fail "last-byte cut message"
expect 4 mvs-map "$T/cut"
grep -q "^mvs-map: error: $T/cut: truncated stream" "$T/stderr" || fail "mvs-map cut message"

# ---- two units: a cut at the boundary is one whole unit, anywhere after it is damage ----
"$gen" --scenario varchar-pk --rows 2 --partitions 2 --units 2 >"$T/two.mvs"
size=$(wc -c <"$T/two.mvs")
first=$(mvs-cat --verify "$T/two.mvs" | sed -n '1s/.* \([0-9]*\) bytes$/\1/p')
[ $((first * 2)) -eq "$size" ] || fail "unit size $first of $size"
head -c "$first" "$T/two.mvs" >"$T/cut"
[ "$(mvs-cat --verify "$T/cut" | wc -l)" -eq 1 ] || fail "the first unit alone should verify"
for ((n = first + 1; n < size; n++)); do
	head -c "$n" "$T/two.mvs" >"$T/cut"
	rc=0
	mvs-cat --verify -q "$T/cut" 2>/dev/null || rc=$?
	[ $rc -eq 4 ] || fail "two units cut at byte $n: mvs-cat --verify exit $rc"
	if ((n % 3 == 0)); then
		rc=0
		mvs-map -q "$T/cut" >/dev/null 2>&1 || rc=$?
		[ $rc -eq 4 ] || fail "two units cut at byte $n: mvs-map exit $rc"
	fi
done

# ---- each byte flipped in turn ----
"$gen" --scenario varchar-pk --rows 2 --partitions 2 --dim 2 >"$T/orig.mvs"
cp "$T/orig.mvs" "$T/flip.mvs"
read -ra bytes <<<"$(od -An -v -tu1 "$T/orig.mvs" | tr -s ' \n' '  ')"
for ((i = 0; i < ${#bytes[@]}; i++)); do
	printf -v flipped '\\%03o' $((bytes[i] ^ 1))
	printf -v restore '\\%03o' "${bytes[i]}"
	printf '%b' "$flipped" | dd of="$T/flip.mvs" bs=1 seek="$i" conv=notrunc status=none
	rc=0
	mvs-cat --verify -q "$T/flip.mvs" 2>/dev/null || rc=$?
	[ $rc -eq 4 ] || fail "byte $i flipped: mvs-cat --verify exit $rc, expected 4"
	if ((i % 5 == 0)); then
		rc=0
		mvs-map -q "$T/flip.mvs" >/dev/null 2>&1 || rc=$?
		[ $rc -eq 4 ] || fail "byte $i flipped: mvs-map exit $rc, expected 4"
	fi
	printf '%b' "$restore" | dd of="$T/flip.mvs" bs=1 seek="$i" conv=notrunc status=none
done
cmp "$T/flip.mvs" "$T/orig.mvs" || fail "flip test did not restore the file"
note "${#bytes[@]} flips rejected"

# ---- not a stream, or not this version ----
cp "$T/orig.mvs" "$T/major.mvs"
printf '\002\000' | dd of="$T/major.mvs" bs=1 seek=8 conv=notrunc status=none
expect 4 mvs-cat --verify "$T/major.mvs"
grep -q "unsupported mvs stream version 2.0" "$T/stderr" || fail "wrong major message"
expect 4 mvs-map "$T/major.mvs"
cp "$T/orig.mvs" "$T/magic.mvs"
printf 'X' | dd of="$T/magic.mvs" bs=1 seek=0 conv=notrunc status=none
expect 4 mvs-cat --verify "$T/magic.mvs"
grep -q "not an mvs stream (bad magic at byte 0)" "$T/stderr" || fail "bad magic message"
printf '{"id": 1}\n' >"$T/text"
expect 4 mvs-cat "$T/text"
grep -q "not an mvs stream" "$T/stderr" || fail "text input message"
expect 4 mvs-map "$T/text"
expect 4 mvs-cat --verify </dev/null
grep -q "empty input: not an mvs stream" "$T/stderr" || fail "empty input message"
expect 4 mvs-map </dev/null
mvs-map </dev/null 2>/dev/null | mvs-cat 2>"$T/stderr" && fail "mvs-map of nothing verified"
grep -q "upstream failed: mvs-map [0-9.]*: empty input" "$T/stderr" || fail "abort after empty input"

# bytes after a trailer that do not start a unit
{ cat "$T/orig.mvs"; printf 'garbage'; } >"$T/tail.mvs"
expect 4 mvs-cat --verify "$T/tail.mvs"
grep -q "unexpected bytes at byte $(wc -c <"$T/orig.mvs")" "$T/stderr" || fail "trailing bytes message"
expect 4 mvs-map "$T/tail.mvs"
{ cat "$T/orig.mvs"; head -c 5 "$T/orig.mvs"; } >"$T/tail.mvs"
expect 4 mvs-cat --verify "$T/tail.mvs"

# ---- abort frames: exit 5, passed on by mvs-map ----
"$gen" --rows 5 --abort-after 2 >"$T/abort.mvs"
rc=0
mvs-cat "$T/abort.mvs" >"$T/rows" 2>"$T/stderr" || rc=$?
[ $rc -eq 5 ] || fail "abort: mvs-cat exit $rc, expected 5"
[ "$(wc -l <"$T/rows")" -eq 2 ] || fail "abort: the 2 rows before it should print"
grep -qF "mvs-cat: error: $T/abort.mvs: upstream failed: mvs-gen: simulated failure after 2 rows" \
	"$T/stderr" || fail "abort message"
expect 5 mvs-cat --verify "$T/abort.mvs"
expect 5 mvs-map -o "$T/abort_out.mvs" "$T/abort.mvs"
[ ! -e "$T/abort_out.mvs" ] || fail "-o kept the output of an aborted stream"
rc=0
mvs-map -q --fields id,fv "$T/abort.mvs" 2>"$T/map_err" | mvs-cat >"$T/rows" 2>"$T/stderr" || rc=$?
[ $rc -eq 5 ] || fail "abort through mvs-map: mvs-cat exit $rc, expected 5"
[ "$(wc -l <"$T/rows")" -eq 2 ] || fail "abort through mvs-map: rows before it"
grep -qF "upstream failed: mvs-map" "$T/stderr" && grep -qF "mvs-gen: simulated failure after 2 rows" "$T/stderr" ||
	fail "abort through mvs-map: message lost"
"$gen" --rows 3 --units 2 --abort-after 4 >"$T/abort2.mvs"
mvs-cat --verify "$T/abort2.mvs" >"$T/verify" 2>/dev/null && fail "abort in unit 2 verified"
[ "$(grep -c '^ok:' "$T/verify")" -eq 1 ] || fail "abort in unit 2: unit 1 should verify"

# ---- concatenated good units ----
cat "$T/orig.mvs" "$T/small.mvs" "$T/orig.mvs" >"$T/three.mvs"
[ "$(mvs-cat --verify "$T/three.mvs" | grep -c '^ok:')" -eq 3 ] || fail "three units"
mvs-map "$T/three.mvs" | cmp - "$T/three.mvs" || fail "three units through mvs-map"
