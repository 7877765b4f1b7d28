#!/usr/bin/env bash
# The EXAMPLES of man/mvs-map.1 and man/mvs-cat.1 run as written (the "$ " lines, in order, in one
# directory holding a sample books.mvs and books.mvs.zst), so the documentation cannot rot. Examples
# that need a Milvus server (mvs-export, mvs-import) are left to the tests of those tools.
. "$MVS_TOP/tests/lib.sh"
gen=$MVS_TESTTOOLS/mvs-gen

cd "$T"
"$gen" --scenario wide --rows 50 --dim 8 | mvs-map --collection books >books.mvs
have_zstd=false
if command -v zstd >/dev/null; then
	zstd -q books.mvs -o books.mvs.zst
	have_zstd=true
fi

ran=0
for page in mvs-map.1 mvs-cat.1; do
	# "$ " lines of .EX blocks, with the roff escapes for '-' and '\' undone
	sed -n '/^\.EX/,/^\.EE/s/^\$ //p' "$MVS_TOP/man/$page" | sed 's/\\-/-/g; s/\\e/\\/g' >"$T/examples"
	[ -s "$T/examples" ] || fail "$page: no examples found"
	while IFS= read -r example; do
		case "$example" in
		*mvs-export* | *mvs-import* | *mvs-migrate*) note "$page: needs a server: $example"; continue ;;
		*zstd*) $have_zstd || { note "$page: zstd missing: $example"; continue; } ;;
		esac
		rc=0
		bash -c "$example" >"$T/out" 2>"$T/err" </dev/null || rc=$?
		[ $rc -eq 0 ] || { cat "$T/err" >&2; fail "$page: exit $rc: $example"; }
		[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "$page: printed on stderr: $example"; }
		ran=$((ran + 1))
	done <"$T/examples"
done
note "$ran examples ran"

# what the examples made
mvs-cat --header small.mvs | grep -q '"fields":\[{"name":"id".*{"name":"title".*{"name":"vec"' ||
	fail "small.mvs: fields"
mvs-cat --header books_v2.mvs | grep -q '"name":"books_v2"' || fail "books_v2.mvs: collection name"
mvs-cat --header books_v2.mvs | grep -q '"name":"embedding"' || fail "books_v2.mvs: renamed field"
if $have_zstd; then
	[ "$(zstd -dc both.mvs.zst | mvs-cat --verify | grep -c '^ok: ')" -eq 2 ] || fail "both.mvs.zst"
fi
