#!/usr/bin/env bash
# `make demo`: the toolkit end to end on this machine, with nothing but the repository. Starts two
# in-memory Milvus servers (tests/fake-milvus), fills a sample collection on the first with the
# official Milvus Node SDK, copies it to the second with
#   mvs-export | mvs-map --fields ... | mvs-import
# and shows the result as the SDK sees it. The servers are stopped (by pid) however it ends; exit 0
# means the copy holds exactly the rows and fields it should.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
sdk() { node "$MVS_TOP/tests/node/sdk.js" "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "starting two test servers (in-memory Milvus, tests/fake-milvus)"
fake_start src
fake_start dst
echo "source: $src_URI    target: $dst_URI"

step "seeding collection \"all_types\" on the source with the official Node SDK"
sdk seed --uri "$src_URI" --scenario all-types --rows 300
echo "source rows: $(sdk count --uri "$src_URI" --collection all_types)"

step "copying five of its fields to the target, as collection \"demo\""
fields=id,vc,js,arr_vc,fv
printf '$ mvs-export --uri %s --collection all_types \\\n' "$src_URI"
printf '    | mvs-map --fields %s --collection demo \\\n' "$fields"
printf '    | mvs-import --uri %s --create-index --load\n' "$dst_URI"
mvs-export --uri "$src_URI" --collection all_types |
	mvs-map --fields "$fields" --collection demo | tee "$T/demo.mvs" |
	mvs-import --uri "$dst_URI" --create-index --load

step "the target as the SDK sees it"
sdk describe --uri "$dst_URI" --collection demo | node -e '
	const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
	const c = s.collection;
	console.log(`collection ${c.name}: dynamic fields ${c.enable_dynamic_field ? "on" : "off"}, ` +
		`consistency ${c.consistency_level}, partitions ${s.partitions.join(", ")}`);
	for (const f of s.fields) {
		const extra = [f.primary_key && "primary key", f.nullable && "nullable", f.dim && `dim ${f.dim}`,
			f.max_length && `max_length ${f.max_length}`, f.element_type && `of ${f.element_type}`,
			f.max_capacity && `max_capacity ${f.max_capacity}`].filter(Boolean).join(", ");
		console.log(`  ${f.name.padEnd(8)} ${f.type}${extra ? ` (${extra})` : ""}`);
	}
	for (const i of s.indexes)
		console.log(`  index on ${i.field}: ${i.params.index_type || "?"}, metric ${i.params.metric_type || "?"}`);
'
rows=$(sdk count --uri "$dst_URI" --collection demo)
echo "target rows: $rows"
printf "\$ sdk.js query --uri %s --collection demo --expr 'id < 12' --output id,vc,arr_vc\n" "$dst_URI"
sdk query --uri "$dst_URI" --collection demo --expr 'id < 12' --output id,vc,arr_vc

step "checking: every row the SDK reads from the target equals the stream that was imported"
sdk dump --uri "$dst_URI" --collection demo --out "$T/demo.jsonl"
mvs-cat "$T/demo.mvs" >"$T/demo.json"
sdk compare "$T/demo.json" "$T/demo.jsonl"
[ "$rows" = 300 ] || fail "the target holds $rows rows, not 300"
echo "demo ok; stopping the servers"
