#!/usr/bin/env bash
# Every data type Milvus 2.3 has, through export | import between two real servers, judged by pymilvus:
# Bool, Int8..Int64 at their extremes (INT64_MIN and INT64_MAX - 1 keys; a row keyed INT64_MAX, which
# Milvus 2.3 never returns to Query, makes the export fail instead of losing it), Float/Double with -0.0,
# subnormals and the largest values, VarChar (empty, max_length in bytes, multi-byte, quotes,
# backslashes, control characters, U+0000 alone, leading, trailing, repeated), JSON (nested, unicode,
# escapes, null), Arrays of every element type, float and binary vectors, the dynamic field, named
# partitions, a partition key with a VarChar key, and auto-ID. The row digests (mvs-cat --digest) of
# the source's and the target's exports are equal too.
. "$MVS_TOP/tests/real/lib.sh"
src=$MVS_REAL_SRC dst=$MVS_REAL_DST

# digest URI COLLECTION [mvs-cat options...]: the rows and row digest of the collection's export
digest() {
	mvs-export --uri "$1" --collection "$2" -q | mvs-cat --digest "${@:3}" | cut -d' ' -f2,3
}

# copy COLLECTION [import options...]: export from the source, import into the target (which creates
# the collection), then compares the schema and every row with pymilvus, and the row digests of both
# exports (mvs-cat --digest; without the key when the target made new ones): a value the real server
# changes on the way would make mvs-migrate --verify fail an exact copy.
copy() {
	local coll=$1 want got digest_opts=(); shift
	mvs-export --uri "$src" --collection "$coll" -q | mvs-import --uri "$dst" --create-index --load -q "$@" ||
		fail "$coll: export | import failed"
	judge schema "$src" "$coll" >"$T/$coll.src.schema"
	judge schema "$dst" "$coll" >"$T/$coll.dst.schema"
	diff "$T/$coll.src.schema" "$T/$coll.dst.schema" || fail "$coll: the target's schema differs"
	case " $* " in *" --auto-id new "*) digest_opts=(--ignore-pk) ;; esac
	want=$(digest "$src" "$coll" "${digest_opts[@]}") && got=$(digest "$dst" "$coll" "${digest_opts[@]}") ||
		fail "$coll: digest of an export failed"
	[ -n "$want" ] && [ "$want" = "$got" ] || fail "$coll: rows and digest of the source $want, of the target $got"
}

judge seed "$src" all-types all_types --rows 300 --dim 16 --load >/dev/null
copy all_types
same_rows "$src" all_types "$dst" all_types
grep -q '"s": "in\\u0000side"' "$T/dst.all_types.jsonl" || fail "no VarChar with U+0000 in the target"
note "all types: $(wc -l <"$T/dst.all_types.jsonl") rows equal, schema equal"

judge seed "$src" all-types-binary all_types_bin --rows 120 --dim 64 --load >/dev/null
copy all_types_bin
same_rows "$src" all_types_bin "$dst" all_types_bin
note "binary vectors: equal"

judge seed "$src" partition-key pkey --rows 500 --dim 4 --load >/dev/null
copy pkey
same_rows "$src" pkey "$dst" pkey --pk key --ignore-partitions
note "partition key, VarChar keys with U+0000: equal"

judge seed "$src" auto-id autoid --rows 200 --dim 4 --load >/dev/null
mvs-export --uri "$src" --collection autoid -q -o "$T/autoid.mvs"
expect_exit 8 mvs-import --uri "$dst" -q "$T/autoid.mvs"
has_line "$T/stderr" "keeping auto-ID keys on 2.3 is not refused with the way on" -- '--auto-id new'
copy autoid --auto-id new
same_rows "$src" autoid "$dst" autoid --pk pk --ignore-pk
note "auto-ID: keeping the keys is refused on 2.3 with the way on; new keys, equal rows otherwise"

judge seed "$src" int64-max int64_max --rows 10 --dim 4 --load >/dev/null
expect_exit 6 mvs-export --uri "$src" --collection int64_max -q -o "$T/max.mvs"
has_line "$T/stderr" "the unreadable INT64_MAX row is not named" -F '9223372036854775807 (INT64_MAX)'
[ ! -e "$T/max.mvs" ] || fail "a stream without the INT64_MAX row was left"
note "a row keyed INT64_MAX: the export fails (exit 6) and names it"

judge seed "$src" long-elements long_elements --rows 10 --dim 4 --load >/dev/null
mvs-export --uri "$src" --collection long_elements -q -o "$T/long.mvs"
expect_exit 8 mvs-import --uri "$dst" -q "$T/long.mvs"
has_line "$T/stderr" "the over-long Array element is not named" -F 'field "tags": element 1: string of 16 bytes exceeds max_length 4'
expect_exit 4 mvs-cat --verify "$T/long.mvs"
judge count "$dst" long_elements 2>/dev/null && fail "a collection was created for a refused stream"
note "Array elements over max_length (pymilvus 2.3 writes them unchecked): refused before writing, exit 8"
