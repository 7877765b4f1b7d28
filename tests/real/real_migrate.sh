#!/usr/bin/env bash
# mvs-migrate and the write modes between two real Milvus 2.3 servers, judged by pymilvus:
# - mvs-migrate start with a migration.yaml that sets meta.fields and every meta.milvus override
#   (collection, shardNum, consistencyLevel, closeDynamicField), createIndex, load, source and target
#   databases, writeMode upsert and meta.verify: the target has exactly those settings, fields and rows, and
#   mvs-migrate says it verified them; a second run leaves the same rows, not twice as many;
# - the REST server (server run -p 0): POST /api/v1/start async with a config (filter, 2 shards,
#   meta.verify), then get_job until it ends: success, the row counts, and the rows of the filter in the target;
# - mvs-import --mode upsert of a stream already imported: the same rows (a second insert doubles them,
#   which shows the count would see it);
# - auto-ID keys: --auto-id keep makes no collection on 2.3 (exit 8), keeps the keys in an existing
#   collection whose key is not auto-ID, --auto-id new gives new keys and otherwise equal rows; autoId
#   "false" through mvs-migrate fails the same way; autoId "true" with --verify verifies without the key.
. "$MVS_TOP/tests/real/lib.sh"
. "$MVS_TOP/tests/real/paths.bash"
src=$MVS_REAL_SRC dst=$MVS_REAL_DST

in_background eval 'judge seed "$src" paths mig_books --db migsrc --rows 2000 --dim 8 --index --load >/dev/null &&
	dump "$src" mig_books src.mig_books --db migsrc'
in_background eval 'judge seed "$src" auto-id mig_auto --rows 500 --dim 4 --index --load >/dev/null &&
	dump "$src" mig_auto src.mig_auto'
in_background eval 'judge seed "$dst" auto-id-off mig_auto_keys --rows 0 --dim 4 >/dev/null'
wait_background "seeding"

# ---- mvs-migrate start: every meta.milvus override, a target database, writeMode upsert, twice ---------
migrate_overrides() {
	cat >"$T/migration.yaml" <<EOF
dumper:
  worker:
    workMode: milvus2x
    reader:
      bufferSize: 300
meta:
  mode: config
  version: 2.3.5
  collection: mig_books
  fields:
    - name: id
    - name: title
    - name: vec
    - year
  createIndex: true
  load: true
  verify: true
  milvus:
    collection: mig_books_copy
    shardNum: 2
    consistencyLevel: Strong
    closeDynamicField: true
source:
  milvus2x:
    endpoint: $src
    database: migsrc
target:
  milvus2x:
    endpoint: $dst
    database: migdb
    writeMode: upsert
EOF
	local run
	for run in 1 2; do
		mvs-migrate start -c "$T/migration.yaml" >"$T/migrate.$run.err" 2>&1 ||
			{ cat "$T/migrate.$run.err" >&2; fail "mvs-migrate start (run $run) failed"; }
		has_line "$T/migrate.$run.err" "run $run: no success line" -F '["[Starter] Migration Success!"]'
		has_line "$T/migrate.$run.err" "run $run: no 100 percent line" -F '["=================>JobProcess!"] [Percent=100]'
		has_line "$T/migrate.$run.err" "run $run: meta.verify did not verify" -F 'verified: the target holds exactly the 2000 rows copied'
		[ "$(judge count "$dst" mig_books_copy --db migdb)" = 2000 ] ||
			fail "run $run: count(*) of migdb.mig_books_copy is not 2000"
	done
	has_line "$T/migrate.1.err" "the target database was not created" -F 'created database "migdb"'
	[ "$(judge loaded "$dst" mig_books_copy --db migdb)" = Loaded ] || fail "meta.load: the target is not loaded"
	dump "$dst" mig_books_copy dst.mig_books_copy --db migdb
	jq -c '{fields: [.fields[].name], num_shards, consistency_level, enable_dynamic_field, indexes}' \
		"$T/dst.mig_books_copy.schema" >"$T/overrides"
	echo '{"fields":["id","title","vec","year"],"num_shards":2,"consistency_level":0,"enable_dynamic_field":false,"indexes":[["vec","HNSW","L2","{\"M\": 8, \"efConstruction\": 64}"]]}' |
		diff - "$T/overrides" || fail "the target was not made as meta.fields, meta.milvus and createIndex say"
	judge compare "$T/src.mig_books.jsonl" "$T/dst.mig_books_copy.jsonl" --fields id,title,vec,year ||
		fail "mig_books_copy: rows differ"
	same_keys "$T/dst.mig_books_copy.jsonl" id,title,vec,year
	note "mvs-migrate start, twice with writeMode upsert: migsrc.mig_books to migdb.mig_books_copy with fields id,title,vec,year, 2 shards, Strong, no dynamic field, the HNSW index, loaded, 2000 equal rows"
}

# ---- the REST server ----------------------------------------------------------------------------------
rest() {
	local out=$T/rest.out err=$T/rest.err url job status i
	mkdir -p "$T/rest"
	cat >"$T/rest/filtered.yaml" <<EOF
dumper:
  worker:
    workMode: milvus2x
    parallelism: 2
meta:
  mode: config
  collection: mig_books
  filter: 'year < 2012'
  createIndex: true
  verify: true
  milvus:
    collection: mig_books_rest
    shardNum: 4
    consistencyLevel: Customized
    closeDynamicField: false
source:
  milvus2x:
    endpoint: $src
    database: migsrc
target:
  milvus2x:
    endpoint: $dst
EOF
	spawn mvs-migrate server run -p 0 --config-dir "$T/rest" >"$out" 2>"$err"
	wait_listening "mvs-migrate server" "$SPAWNED_PID" "$out" "$err" 'mvs-migrate: listening on'
	url=http://$LISTEN_ADDR/api/v1
	curl -sf -XPOST "$url/start" -d '{"async": true, "config": "filtered.yaml", "requestId": "r-1"}' >"$T/start.json" ||
		fail "POST /api/v1/start failed"
	[ "$(jq -c '[.code, .requestId]' "$T/start.json")" = '[0,"r-1"]' ] || fail "start: $(cat "$T/start.json")"
	job=$(jq -r .data.jobId "$T/start.json")
	for i in $(seq 1 600); do
		curl -sf "$url/get_job?jobId=$job" >"$T/job.json" || fail "GET get_job failed"
		status=$(jq -r .data.jobStatus "$T/job.json")
		case $status in success | fail) break ;; esac
		sleep 0.2
	done
	[ "$status" = success ] || { cat "$T/job.json" "$err" >&2; fail "the REST job did not succeed"; }
	subset "$T/src.mig_books.jsonl" "$T/want.rest.jsonl" 'r["year"] < 2012'
	n=$(wc -l <"$T/want.rest.jsonl")
	[ "$(jq -c '.data | [.jobProcess, .totalTasks, .finishTasks, .rows.exported, .rows.imported]' "$T/job.json")" = "[100,1,1,$n,$n]" ] ||
		fail "get_job: $(cat "$T/job.json")"
	has_line "$err" "REST: meta.verify did not verify" -F "verified: the target holds exactly the $n rows copied"
	dump "$dst" mig_books_rest dst.mig_books_rest
	[ "$(jq -c '[.num_shards, .consistency_level, .enable_dynamic_field]' "$T/dst.mig_books_rest.schema")" = '[4,4,true]' ] ||
		fail "mig_books_rest: not 4 shards, Customized, with a dynamic field: $(cat "$T/dst.mig_books_rest.schema")"
	judge compare "$T/want.rest.jsonl" "$T/dst.mig_books_rest.jsonl" || fail "mig_books_rest: not the rows of the filter"
	note "REST: POST /api/v1/start (async, filter, parallelism 2, shardNum 4, Customized), get_job success 100%, $n rows exported, imported and verified, equal"
}

# ---- mvs-import --mode upsert -------------------------------------------------------------------------
upsert() {
	mvs-export --uri "$src" --db migsrc --collection mig_books -q -o "$T/books.mvs" || fail "export failed"
	mvs-import --uri "$dst" --collection up_books --create-index -q "$T/books.mvs" || fail "the first import failed"
	mvs-import --uri "$dst" --collection up_books --mode upsert --load -q "$T/books.mvs" || fail "the upsert import failed"
	[ "$(judge count "$dst" up_books)" = 2000 ] || fail "up_books: count(*) after insert + upsert is not 2000"
	dump "$dst" up_books dst.up_books
	judge compare "$T/src.mig_books.jsonl" "$T/dst.up_books.jsonl" || fail "up_books: rows differ after the upsert"
	mvs-import --uri "$dst" --collection up_books -q "$T/books.mvs" || fail "the second insert failed"
	[ "$(judge count "$dst" up_books)" = 4000 ] || fail "up_books: a second insert did not double count(*)"
	note "--mode upsert of a stream already imported: count(*) 2000 and the rows equal (a second insert: 4000)"
}

# ---- auto-ID --------------------------------------------------------------------------------------------
auto_id() {
	mvs-export --uri "$src" --collection mig_auto -q -o "$T/auto.mvs" || fail "export of mig_auto failed"
	expect_exit 8 mvs-import --uri "$dst" --collection mig_auto_kept -q "$T/auto.mvs"
	has_line "$T/stderr" "--auto-id keep on 2.3: no way on" -F 'pass --auto-id new'
	[ "$(judge exists "$dst" mig_auto_kept)" = no ] || fail "--auto-id keep on 2.3 created the collection"
	expect_exit 2 mvs-import --uri "$dst" --collection mig_auto_new --auto-id new --mode upsert -q "$T/auto.mvs"

	mvs-import --uri "$dst" --collection mig_auto_keys --auto-id keep --create-index -q "$T/auto.mvs" ||
		fail "--auto-id keep into a collection whose key is not auto-ID failed"
	dump "$dst" mig_auto_keys dst.mig_auto_keys
	judge compare "$T/src.mig_auto.jsonl" "$T/dst.mig_auto_keys.jsonl" --pk pk ||
		fail "mig_auto_keys: the keys or rows differ"

	mvs-import --uri "$dst" --collection mig_auto_new --auto-id new --create-index -q "$T/auto.mvs" ||
		fail "--auto-id new failed"
	dump "$dst" mig_auto_new dst.mig_auto_new
	jq -e '.auto_id == true and ([.fields[] | select(.is_primary) | .auto_id] == [true])' "$T/dst.mig_auto_new.schema" >/dev/null ||
		fail "mig_auto_new: the key is not auto-ID: $(cat "$T/dst.mig_auto_new.schema")"
	judge compare "$T/src.mig_auto.jsonl" "$T/dst.mig_auto_new.jsonl" --pk pk --ignore-pk || fail "mig_auto_new: rows differ"
	! judge compare "$T/src.mig_auto.jsonl" "$T/dst.mig_auto_new.jsonl" --pk pk >/dev/null ||
		fail "mig_auto_new: the target kept the source's keys"

	for auto in false true; do
		cat >"$T/auto.yaml" <<EOF
dumper: {worker: {workMode: milvus2x}}
meta: {mode: config, collection: mig_auto, createIndex: true, milvus: {collection: mig_auto_$auto, autoId: "$auto"}}
source: {milvus2x: {endpoint: $src}}
target: {milvus2x: {endpoint: $dst}}
EOF
		if [ $auto = false ]; then
			expect_exit 8 mvs-migrate start -c "$T/auto.yaml" -q
			has_line "$T/stderr" 'autoId "false": the failing stage is not named' -F 'stage mvs-import'
		else
			mvs-migrate start -c "$T/auto.yaml" --verify >"$T/auto.err" 2>&1 ||
				{ cat "$T/auto.err" >&2; fail 'mvs-migrate --verify with autoId "true" failed'; }
			has_line "$T/auto.err" 'autoId "true": not verified without the key' -F 'verified: the target holds exactly the 500 rows copied (digest'
			has_line "$T/auto.err" 'autoId "true": not verified without the key' -F 'without the primary key: the target made new keys)'
		fi
	done
	dump "$dst" mig_auto_true dst.mig_auto_true
	judge compare "$T/src.mig_auto.jsonl" "$T/dst.mig_auto_true.jsonl" --pk pk --ignore-pk || fail "mig_auto_true: rows differ"
	note "auto-ID: keep: exit 8 on 2.3 (new collection) and kept keys (existing one, key not auto-ID); new (and autoId \"true\"): new keys, equal rows; autoId \"false\": exit 8"
}

in_background migrate_overrides
in_background rest
in_background upsert
in_background auto_id
wait_background "mvs-migrate, upsert, auto-ID"
