# The README's migration.yaml example is valid as written: mvs-migrate --dry-run accepts it and
# builds the pipeline it describes, with secrets only as variable names.
. "$MVS_TOP/tests/lib.sh"

awk '/^   ```yaml/{f=1;next} /^   ```/{if(f)exit} f' "$MVS_TOP/README.md" | sed 's/^   //' >"$T/migration.yaml"
grep -q 'workMode: milvus2x' "$T/migration.yaml" || fail "no yaml example found in README.md"

SOURCE_PASSWORD=s3cret-src TARGET_PASSWORD=s3cret-dst \
	mvs-migrate start --dry-run -c "$T/migration.yaml" >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "README example rejected"; }
cat "$T/out"
grep -q 'mvs-export --uri src:19530 --user root --collection src_table_name --fields id,title_vector' "$T/out" ||
	fail "export stage not as the README example says"
grep -q 'mvs-map --collection target_collection_name --shards 2 --consistency Customized' "$T/out" ||
	fail "map stage not as the README example says"
grep -q 'mvs-import --uri dst:19530' "$T/out" || fail "import stage missing"
! grep -q 's3cret' "$T/out" || fail "a secret value reached the dry-run output"
