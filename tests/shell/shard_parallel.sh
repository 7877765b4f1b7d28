#!/usr/bin/env bash
# The GNU parallel recipes of man/mvs-migrate.1 (SHARDS ACROSS MACHINES, the "$ " lines) run as
# written on this machine, with src.example:19530 and dst.example:19530 standing for two test servers
# and a migration.yaml whose passwords come from ${SRC_PASSWORD} and ${DST_PASSWORD}: each copies the
# collection exactly (checked with the official Node SDK). A recipe whose shards fail makes parallel
# exit non-zero. Skips when GNU parallel is not installed.
. "$MVS_TOP/tests/lib.sh"
need_node
command -v parallel >/dev/null || { echo "GNU parallel is not installed"; exit 77; }
unset MILVUS_PASSWORD MILVUS_TOKEN

fake_start src
fake_start dst
fake_start asrc --user root --password 'src-Secret'
fake_start adst --user root --password 'dst-Secret'
fake_start locked --user root --password 'other'
node "$MVS_TOP/tests/shell/shard_seed.js" "$src_URI" books
sdk seed --uri "$asrc_URI" --user root --password 'src-Secret' --scenario varchar-pk --rows 90 >/dev/null

# "$ " lines of the .EX blocks of the section, the roff escapes for '-' and '\' undone
sed -n '/^\.SH SHARDS ACROSS MACHINES/,/^\.SH /{/^\.EX/,/^\.EE/s/^\$ //p}' "$MVS_TOP/man/mvs-migrate.1" |
	sed 's/\\-/-/g; s/\\e/\\/g' >"$T/recipes"
grep -q '^parallel ' "$T/recipes" && grep -q '| parallel ' "$T/recipes" || { cat "$T/recipes" >&2; fail "recipes not found"; }

mkdir -p "$T/run"
cat >"$T/run/migration.yaml" <<EOF
dumper:
  worker:
    workMode: milvus2x
meta:
  mode: config
  collection: varchar_pk
source:
  milvus2x:
    endpoint: $asrc_URI
    username: root
    password: \${SRC_PASSWORD}
target:
  milvus2x:
    endpoint: $adst_URI
    username: root
    password: \${DST_PASSWORD}
EOF
export SRC_PASSWORD='src-Secret' DST_PASSWORD='dst-Secret'

# same URI USER PASSWORD COLLECTION URI USER PASSWORD INDEX-OPTIONS...: the second, given the source's
# index and loaded here, holds exactly the first's rows
same() {
	sdk create-index --uri "$5" --user "$6" --password "$7" --collection "$4" --field vec "${@:8}" >/dev/null
	sdk load --uri "$5" --user "$6" --password "$7" --collection "$4" >/dev/null
	sdk dump --uri "$1" --user "$2" --password "$3" --collection "$4" --out "$T/a.jsonl"
	sdk dump --uri "$5" --user "$6" --password "$7" --collection "$4" --out "$T/b.jsonl"
	sdk compare "$T/a.jsonl" "$T/b.jsonl" >"$T/compare" || { cat "$T/compare" >&2; fail "$4 differs"; }
}

ran=0
while IFS= read -r recipe; do
	run=${recipe//src.example:19530/$src_URI}
	run=${run//dst.example:19530/$dst_URI}
	rc=0
	(cd "$T/run" && bash -c "$run") >"$T/out" 2>"$T/err" </dev/null || rc=$?
	[ $rc -eq 0 ] || { cat "$T/out" "$T/err" >&2; fail "exit $rc: $recipe"; }
	case "$recipe" in
	*migration.yaml*)
		same "$asrc_URI" root src-Secret varchar_pk "$adst_URI" root dst-Secret --index-type HNSW --metric L2 \
			--params '{"M":16,"efConstruction":64}'
		grep -qe src-Secret -e dst-Secret "$T/out" "$T/err" && fail "a password in the output" ;;
	*)
		same "$src_URI" "" "" books "$dst_URI" "" "" --index-type FLAT --metric L2
		sdk drop --uri "$dst_URI" --collection books >/dev/null
		# with every shard refused by the target, parallel fails
		run=${recipe//src.example:19530/$src_URI}
		run=${run//dst.example:19530/$locked_URI}
		rc=0
		(cd "$T/run" && bash -c "$run") >"$T/out" 2>"$T/err" </dev/null || rc=$?
		[ $rc -ne 0 ] || fail "parallel exited 0 when the shards failed: $recipe"
		grep -q 'mvs-import: error: ' "$T/err" || { cat "$T/err" >&2; fail "no import error shown"; } ;;
	esac
	ran=$((ran + 1))
	note "ran as written: $recipe"
done <"$T/recipes"
[ $ran -ge 2 ] || fail "only $ran recipes ran"
