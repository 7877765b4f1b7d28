# Helpers of the pipeline tests (real_paths.sh, real_migrate.sh, real_resume.sh); sourced after lib.sh.
#   dump URI COLLECTION NAME [--db D]   judge dump into $T/NAME.jsonl (and .partitions), and its schema
#                                       into $T/NAME.schema, once per NAME
#   subset IN OUT EXPR                  the rows of dump IN for which the Python expression EXPR holds (r:
#                                       the row, p: the partition holding it) into dump OUT
#   same_keys DUMP A,B,...              fails unless every row of DUMP has only the keys A,B,... (a subset)
#   in_background CMD...; wait_background WHAT
#                                       runs commands at once (functions too, each in a subshell that
#                                       stops what it spawned when it ends); then shows their output in
#                                       the order started and fails naming WHAT unless all succeeded

dump() {
	local uri=$1 coll=$2 name=$3; shift 3
	[ -f "$T/$name.jsonl" ] || judge dump "$uri" "$coll" "$T/$name.jsonl" --schema "$T/$name.schema" "$@" ||
		fail "pymilvus cannot read $coll at $uri"
}

subset() {
	"$MVS_REAL_PY" - "$@" <<'PY' || fail "subset $*"
import json, sys
src, out, expr = sys.argv[1:4]
with open(src + '.partitions', encoding='utf-8') as f:
    where = {}
    for line in f:
        key, part = json.loads(line)
        where[key] = part
rows = kept = 0
with open(src, encoding='utf-8') as f, open(out, 'w', encoding='utf-8') as o, \
        open(out + '.partitions', 'w', encoding='utf-8') as op:
    for line in f:
        r = json.loads(line)
        rows += 1
        if eval(expr, {'r': r, 'p': where[r['id']]}):
            kept += 1
            o.write(line)
            op.write(json.dumps([r['id'], where[r['id']]], ensure_ascii=True) + '\n')
if not 0 < kept < rows:
    sys.exit(f'{expr}: {kept} of {rows} rows, not some of them')
PY
}

same_keys() {
	"$MVS_REAL_PY" - "$@" <<'PY' || fail "rows of $1 have keys other than $2"
import json, sys
allowed = set(sys.argv[2].split(','))
with open(sys.argv[1], encoding='utf-8') as f:
    for line in f:
        extra = set(json.loads(line)) - allowed
        if extra:
            sys.exit(f'{line.strip()[:200]}: {sorted(extra)}')
PY
}

_background=()
in_background() {
	local log=$T/background.${#_background[@]}.log
	# A subshell runs no EXIT trap of its parent: the processes it spawns are stopped by its own.
	( _pids=(); trap _stop_spawned EXIT; "$@" ) >"$log" 2>&1 &
	_background+=("$!:$log")
}

_stop_spawned() {
	local pid
	for pid in "${_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

wait_background() {
	local job failed=0
	for job in "${_background[@]}"; do
		wait "${job%%:*}" || failed=1
		cat "${job#*:}"
	done
	_background=()
	[ $failed = 0 ] || fail "$1"
}
