#!/usr/bin/env bash
# examples/k8s-indexed-job.yaml: the shard script of its pods (between "# shard script begin" and
# "# shard script end") runs as written under /bin/sh, once per JOB_COMPLETION_INDEX from 0 to
# completions - 1, all at once, with the env of the manifest pointed at two test servers that want
# passwords: the target then holds exactly the source's rows. A pod retried for one index (the Job's
# backoffLimitPerIndex) keeps it exact, since the script upserts. The manifest's SHARDS equals its
# completions, and the manifest is valid YAML when Python's yaml module is there to say so.
. "$MVS_TOP/tests/lib.sh"
need_node
unset MILVUS_PASSWORD MILVUS_TOKEN
job=$MVS_TOP/examples/k8s-indexed-job.yaml

fake_start src --user root --password 'old-Secret'
fake_start dst --user root --password 'new-Secret'
sdk seed --uri "$src_URI" --user root --password 'old-Secret' --scenario varchar-pk --collection books --rows 150 >/dev/null

# the script, unindented
sed -n '/# shard script begin/,/# shard script end/p' "$job" | sed 's/^              //' >"$T/shard.sh"
[ "$(wc -l <"$T/shard.sh")" -ge 4 ] || { cat "$T/shard.sh" >&2; fail "no shard script in $job"; }
completions=$(sed -n 's/^  completions: \([0-9]*\)$/\1/p' "$job")
shards=$(grep -A1 'name: SHARDS$' "$job" | sed -n 's/^ *value: "\([0-9]*\)"$/\1/p')
[ -n "$completions" ] && [ "$completions" = "$shards" ] || fail "completions ($completions) and SHARDS ($shards) differ"
grep -q '^  completionMode: Indexed$' "$job" || fail "not an Indexed Job"
if python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$job" "$T/shard.sh" <<'EOF' || fail "the manifest does not parse as the script says"
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
c = job["spec"]["template"]["spec"]["containers"][0]
script = c["args"][0]
want = open(sys.argv[2]).read()
assert want in script, (want, script)
assert job["spec"]["completions"] == int(next(e["value"] for e in c["env"] if e["name"] == "SHARDS"))
EOF
fi

# run_index I: one pod's script, with the manifest's env (endpoints and secrets for the test servers)
run_index() {
	env -i PATH="$PATH" JOB_COMPLETION_INDEX="$1" SHARDS="$shards" COLLECTION=books SOURCE_URI="$src_URI" \
		TARGET_URI="$dst_URI" MILVUS_USER=root SOURCE_PASSWORD='old-Secret' TARGET_PASSWORD='new-Secret' \
		/bin/sh "$T/shard.sh" >"$T/pod.$1.out" 2>"$T/pod.$1.err"
}

pids=()
for i in $(seq 0 $((shards - 1))); do
	run_index "$i" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || { cat "$T/pod.$i.err" >&2; fail "pod $i failed"; }
done

same() {
	sdk dump --uri "$src_URI" --user root --password 'old-Secret' --collection books --out "$T/a.jsonl"
	sdk dump --uri "$dst_URI" --user root --password 'new-Secret' --collection books --out "$T/b.jsonl"
	sdk compare "$T/a.jsonl" "$T/b.jsonl" >"$T/compare" || { cat "$T/compare" >&2; fail "the target differs: $1"; }
}
sdk create-index --uri "$dst_URI" --user root --password 'new-Secret' --collection books --field vec \
	--index-type HNSW --metric L2 --params '{"M":16,"efConstruction":64}' >/dev/null
sdk load --uri "$dst_URI" --user root --password 'new-Secret' --collection books >/dev/null
same "$shards pods"
note "$shards pods copied books exactly"

# a retried pod
run_index 1 || { cat "$T/pod.1.err" >&2; fail "the retried pod failed"; }
same "after a retry"
grep -qe old-Secret -e new-Secret "$T"/pod.*.err && fail "a password in a pod's log"
note "a retried pod keeps it exact"
