# Shared by the real-Milvus tier's tests (source it first). tests/run starts the tier's two real Milvus
# 2.3 servers once (tests/real/tier) and exports MVS_REAL_SRC and MVS_REAL_DST (HOST:PORT) and
# MVS_REAL_PY (the virtual environment's python, with pymilvus). On top of tests/lib.sh this gives:
#   judge ARGS...              tests/real/judge.py: seed, dump, schema, count and compare with pymilvus
#   real_start NAME [OPTS...]  a further real server (e.g. --auth, --tls-mode 2 --cert-dir D), stopped
#                              by pid when the test ends; sets NAME_URI
#   same_rows SRC_URI SRC_COLLECTION DST_URI DST_COLLECTION [compare options...]
#                              dumps both collections with pymilvus and fails unless they are equal
. "$MVS_TOP/tests/lib.sh"
[ -n "${MVS_REAL_SRC:-}" ] || { echo "the real tier's servers are not running (run through tests/run)"; exit 77; }

judge() { "$MVS_REAL_PY" "$MVS_TOP/tests/real/judge.py" "$@"; }

_real_servers=()
_real_cleanup() {
	local d stops=()
	# side by side, and soon killed: a server with loaded collections takes 20 s to shut down, and its
	# data goes with $T
	for d in "${_real_servers[@]}"; do
		"$MVS_REAL_PY" "$MVS_TOP/tests/real/milvus_server.py" stop --grace 2 "$d" &
		stops+=($!)
	done
	for d in "${stops[@]}"; do wait "$d" || true; done
	_cleanup
}
trap _real_cleanup EXIT

real_start() {
	local name=$1 port; shift
	_real_servers+=("$T/milvus-$name")
	port=$("$MVS_REAL_PY" "$MVS_TOP/tests/real/milvus_server.py" start "$T/milvus-$name" "$@") ||
		fail "real Milvus $name did not start: $(tail -n 5 "$T/milvus-$name/logs/milvus-stderr.log" 2>/dev/null)"
	printf -v "${name}_URI" '127.0.0.1:%s' "$port"
}

same_rows() {
	local src=$1 src_coll=$2 dst=$3 dst_coll=$4; shift 4
	judge dump "$src" "$src_coll" "$T/src.$src_coll.jsonl"
	judge dump "$dst" "$dst_coll" "$T/dst.$dst_coll.jsonl"
	judge compare "$T/src.$src_coll.jsonl" "$T/dst.$dst_coll.jsonl" "$@" ||
		fail "$dst_coll at $dst differs from $src_coll at $src"
}
