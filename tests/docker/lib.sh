# Shared by the docker tier's tests (source it first). tests/run brings the tier up once
# (tests/docker/tier: the daemon, the image of `make image`, the SSH test image) and exports MVS_IMAGE,
# MVS_SSHD_IMAGE and MVS_DOCKER_RUN (the label value that marks this run's containers). On top of
# tests/lib.sh this gives:
#   container NAME DOCKER-RUN-ARGS...  docker run -d on the host network (the test servers listen on
#                                      loopback); sets NAME_ID
#   LABELS                             the --label options that mark a container as this test's: every
#                                      container so marked (container does it) is removed by id when the
#                                      test ends, even on failure
#   need_yaml                          sets YAML_PY to a python3 that has the yaml module (the tier
#                                      installs python3-yaml), or skips the test
#   compare_books SRC-PW DST-PW        indexes and loads books on the target (user root on dst_URI),
#                                      then compares it with the source's (src_URI) through the SDK;
#                                      the comparison's output goes to $T/compare
. "$MVS_TOP/tests/lib.sh"
[ -n "${MVS_IMAGE:-}" ] || { echo "the docker tier is not up (run through tests/run)"; exit 77; }

LABELS="--label mvs-test.run=$MVS_DOCKER_RUN --label mvs-test.test=${T##*/}"
_docker_cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=mvs-test.test=${T##*/}" 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
	_cleanup
}
trap _docker_cleanup EXIT

container() {
	local name=$1 id; shift
	# shellcheck disable=SC2086
	id=$(docker run -d --network host $LABELS "$@") || fail "docker run $* failed"
	printf -v "${name}_ID" '%s' "$id"
}

need_yaml() {
	for YAML_PY in python3 /usr/bin/python3; do
		"$YAML_PY" -c 'import yaml' 2>/dev/null && return 0
	done
	echo "no python3 with the yaml module (Debian: python3-yaml)"
	exit 77
}

compare_books() {
	sdk create-index --uri "$dst_URI" --user root --password "$2" --collection books --field vec \
		--index-type HNSW --metric L2 --params '{"M":16,"efConstruction":64}' >/dev/null
	sdk load --uri "$dst_URI" --user root --password "$2" --collection books >/dev/null
	sdk dump --uri "$src_URI" --user root --password "$1" --collection books --out "$T/a.jsonl"
	sdk dump --uri "$dst_URI" --user root --password "$2" --collection books --out "$T/b.jsonl"
	sdk compare "$T/a.jsonl" "$T/b.jsonl" >"$T/compare" 2>&1
}
