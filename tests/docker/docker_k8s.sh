#!/usr/bin/env bash
# examples/k8s-indexed-job.yaml run as its Indexed Job would run it, short of a cluster: the image that
# `make image` builds (the manifest must name it) started once per JOB_COMPLETION_INDEX, 0 to
# completions - 1, all at once, each with the manifest's command and args as written (command in place of
# the image's entrypoint, as Kubernetes does) and its env, the endpoints pointed at two test servers that
# want passwords and the Secret's values as environment variables. The target then holds exactly the
# source's rows (checked with the official Node SDK); one pod alone gives fewer rows, which the check sees.
# No password shows in a pod's log. When the real tier is up (MVS_REAL_SRC, MVS_REAL_DST: real Milvus 2.3
# without authentication, which takes the pods' credentials and ignores them) the same 4 pods copy a
# collection between the real servers exactly (judged by pymilvus).
. "$MVS_TOP/tests/docker/lib.sh"
need_node
need_yaml
job=$MVS_TOP/examples/k8s-indexed-job.yaml

fake_start src --user root --password 'old-Secret'
fake_start dst --user root --password 'new-Secret'
sdk seed --uri "$src_URI" --user root --password 'old-Secret' --scenario varchar-pk --collection books --rows 400 >/dev/null

# The pod as the manifest gives it: $T/pod.env (docker --env-file: the env, with the test's endpoints and
# the Secret's values), $T/pod.argv (command, then args, NUL-separated); prints the image and completions.
read -r image completions < <("$YAML_PY" - "$job" "$T" "$src_URI" "$dst_URI" <<'EOF'
import sys, yaml
path, out, src, dst = sys.argv[1:]
job = yaml.safe_load(open(path))
spec = job["spec"]
assert spec["completionMode"] == "Indexed", "not an Indexed Job"
assert spec["parallelism"] == spec["completions"], "the pods do not all run at once"
[c] = spec["template"]["spec"]["containers"]
endpoints = {"SOURCE_URI": src, "TARGET_URI": dst}
secret = {("milvus-credentials", "source-password"): "old-Secret", ("milvus-credentials", "target-password"): "new-Secret"}
with open(out + "/pod.env", "w") as f:
    for e in c["env"]:
        if "valueFrom" in e:
            ref = e["valueFrom"]["secretKeyRef"]
            value = secret.pop((ref["name"], ref["key"]))
        else:
            value = endpoints.pop(e["name"], e["value"])
        f.write("%s=%s\n" % (e["name"], value))
assert not endpoints and not secret, ("not in the manifest's env", endpoints, secret)
with open(out + "/pod.argv", "w") as f:
    f.write("".join(a + "\0" for a in c["command"] + c["args"]))
print(c["image"], spec["completions"])
EOF
) || fail "examples/k8s-indexed-job.yaml is not the Indexed Job this test runs"
[ "$image" = "$MVS_IMAGE" ] || fail "the manifest's image is $image, not the image make image builds ($MVS_IMAGE)"
mapfile -d '' argv <"$T/pod.argv"

# pods ENV-FILE I...: starts a pod per index at once, waits for them all; fails naming a pod that failed
pods() {
	local env=$1 i rc
	declare -A ids
	shift
	for i in "$@"; do
		container pod --env-file "$env" -e JOB_COMPLETION_INDEX="$i" \
			--entrypoint "${argv[0]}" "$image" "${argv[@]:1}"
		ids[$i]=$pod_ID
	done
	for i in "$@"; do
		rc=$(docker wait "${ids[$i]}")
		docker logs "${ids[$i]}" >"$T/pod.$i.log" 2>&1
		[ "$rc" = 0 ] || { cat "$T/pod.$i.log" >&2; fail "pod $i exited $rc"; }
	done
}

start=$SECONDS
pods "$T/pod.env" $(seq 0 $((completions - 1)))
compare_books 'old-Secret' 'new-Secret' || { cat "$T/compare" >&2; fail "the target differs after $completions pods"; }
grep -qe old-Secret -e new-Secret "$T"/pod.*.log && fail "a password in a pod's log"
note "$completions pods of $image copied books exactly ($((SECONDS - start)) s)"

sdk drop --uri "$dst_URI" --user root --password 'new-Secret' --collection books >/dev/null
pods "$T/pod.env" 2
compare_books 'old-Secret' 'new-Secret' && fail "one pod of $completions gave the whole collection: the check cannot see a missing shard"
note "one pod alone: the check sees the missing rows"

[ -n "${MVS_REAL_SRC:-}" ] || { note "the real tier is not up: on the fake only"; exit 0; }
judge() { "$MVS_REAL_PY" "$MVS_TOP/tests/real/judge.py" "$@"; }
judge seed "$MVS_REAL_SRC" paths-varchar books --rows 1000 --dim 8 --index --load >/dev/null
sdk drop --uri "$MVS_REAL_DST" --collection books >/dev/null 2>&1 || true
sed -e "s/^SOURCE_URI=.*/SOURCE_URI=$MVS_REAL_SRC/" -e "s/^TARGET_URI=.*/TARGET_URI=$MVS_REAL_DST/" "$T/pod.env" >"$T/pod-real.env"
start=$SECONDS
pods "$T/pod-real.env" $(seq 0 $((completions - 1)))
sdk create-index --uri "$MVS_REAL_DST" --collection books --field vec --index-type HNSW --metric L2 \
	--params '{"M":8,"efConstruction":64}' >/dev/null
sdk load --uri "$MVS_REAL_DST" --collection books >/dev/null
judge dump "$MVS_REAL_SRC" books "$T/real-a.jsonl"
judge dump "$MVS_REAL_DST" books "$T/real-b.jsonl"
judge compare "$T/real-a.jsonl" "$T/real-b.jsonl" || fail "real Milvus: the target differs after $completions pods"
for uri in "$MVS_REAL_SRC" "$MVS_REAL_DST"; do sdk drop --uri "$uri" --collection books >/dev/null; done
note "real Milvus: $completions pods copied books exactly ($((SECONDS - start)) s)"
