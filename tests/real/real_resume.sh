#!/usr/bin/env bash
# Resuming a failed import into a real Milvus 2.3 server, as README.md says (Guarantees: "After a
# failure"), judged by pymilvus:
# - mvs-import killed with SIGKILL in the middle of a 30,000-row stream (no report): pymilvus finds some
#   but not all rows in the target; importing the whole stream again with --mode upsert leaves exactly
#   the source's rows, none twice;
# - a stream cut in the middle (as a killed mvs-export leaves it) of a collection with VarChar keys and
#   three partitions: mvs-import exits 4, and its report says how many rows the target holds (pymilvus
#   agrees) and how to import the rest: its own mvs-export command (the partition of the last key and
#   pk > that key, quoted), then the partitions after it; done as printed, the target holds exactly the
#   source's rows.
. "$MVS_TOP/tests/real/lib.sh"
. "$MVS_TOP/tests/real/paths.bash"
src=$MVS_REAL_SRC dst=$MVS_REAL_DST
big=30000  # rows of the collection whose import is killed

in_background eval 'judge seed "$src" paths res_big --rows $big --dim 32 --index --load >/dev/null &&
	mvs-export --uri "$src" --collection res_big -q -o "$T/big.mvs" && dump "$src" res_big src.res_big --digest'
in_background eval 'judge seed "$src" paths-varchar res_docs --rows 12000 --dim 128 --index --load >/dev/null &&
	mvs-export --uri "$src" --collection res_docs -q -o "$T/docs.mvs" && dump "$src" res_docs src.res_docs'
wait_background "seeding"

killed() {
	local size imp writer n i
	size=$(stat -c %s "$T/big.mvs")
	mkfifo "$T/fifo"
	# The first half of the stream, then nothing: mvs-import is surely in the middle when it is killed.
	mvs-import --uri "$dst" --collection res_killed --batch-rows 2000 --progress <"$T/fifo" 2>"$T/killed.err" &
	imp=$!
	( head -c $((size / 2)) "$T/big.mvs"; exec sleep 300 ) >"$T/fifo" &
	writer=$!
	_pids+=($imp $writer)  # stopped when this job ends, whatever happens
	for i in $(seq 1 600); do
		grep -qE '^mvs-import: [1-9][0-9]* rows' "$T/killed.err" && break
		kill -0 $imp 2>/dev/null || break
		sleep 0.1
	done
	kill -9 $imp 2>/dev/null || { cat "$T/killed.err" >&2; fail "mvs-import ended before it was killed"; }
	{ wait $imp; } 2>/dev/null && fail "mvs-import was not killed"
	kill $writer 2>/dev/null || true  # gone already when the kill broke its pipe
	wait $writer || true
	n=$(judge entities "$dst" res_killed)
	[ "$n" -gt 0 ] && [ "$n" -lt $big ] || fail "res_killed holds $n rows after the kill, not some of $big"
	# README: "If mvs-import itself was killed (no report)": import the whole stream again with --mode upsert.
	mvs-export --uri "$src" --collection res_big -q |
		mvs-import --uri "$dst" --collection res_killed --batch-rows 2000 --mode upsert --create-index --load -q ||
		fail "the upsert re-import failed"
	[ "$(judge count "$dst" res_killed)" = $big ] || fail "res_killed: count(*) after the resume is not $big"
	dump "$dst" res_killed dst.res_killed --digest
	judge compare "$T/src.res_big.jsonl" "$T/dst.res_killed.jsonl" || fail "res_killed: rows differ after the resume"
	note "mvs-import killed (SIGKILL) with $n of $big rows in the target; the whole stream again with --mode upsert: $big rows, equal"
}

cut() {
	local at opts line cmd part after p n
	# One request at a time: the report can then always name the last key (none written after it).
	opts=(--uri "$dst" --collection res_cut --batch-rows 250 --inflight 1 --create-index)
	# The cut: in the middle of the second rows frame (mvs-stream(5): kind, uint32 LE length, payload)
	# after the partition marker of p_one. Rows of about 600 bytes (dim 128) make a frame of about 1750
	# rows (1 MiB), so the last key written starts with a backslash, which the resume filter escapes.
	at=$("$MVS_REAL_PY" - "$T/docs.mvs" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
pos, part, frames = 10, None, []
while pos < len(data):
    kind, length = data[pos:pos + 1], struct.unpack_from('<I', data, pos + 1)[0]
    if kind == b'P':
        part = data[pos + 6:pos + 5 + length]  # after the msgpack str's type byte
    elif kind == b'R' and part == b'p_one':
        frames.append((pos, length))
    pos += 5 + length
print(frames[1][0] + frames[1][1] // 2)
PY
) || fail "cannot find the rows frames of p_one in the stream"
	head -c "$at" "$T/docs.mvs" >"$T/cut.mvs"
	expect_exit 4 mvs-import "${opts[@]}" -q "$T/cut.mvs"
	cp "$T/stderr" "$T/cut.err"
	cat "$T/cut.err"
	n=$(sed -n 's/^mvs-import: \([0-9]*\) rows were written into "res_cut": the stream.s rows up to the last primary key written, .*, and none after it$/\1/p' "$T/cut.err")
	[ -n "$n" ] || fail "the report does not say how many rows were written up to which key"
	[ "$(judge entities "$dst" res_cut)" = "$n" ] || fail "the report says $n rows were written; pymilvus disagrees"
	line=$(grep -F 'mvs-import: to resume, import the rest: mvs-export --uri SOURCE ' "$T/cut.err") ||
		fail "no resume command in the report"
	cmd=${line#*import the rest: }
	cmd=${cmd% | mvs-import (the same options)}
	[ "$cmd" != "${line#*import the rest: }" ] || fail "the resume command does not end in the import: $line"
	part=$(sed -n 's/^mvs-import: then export the partitions after "\(.*\)" in the stream the same way, without --filter$/\1/p' "$T/cut.err")
	[ -n "$part" ] || fail "the report does not name the partition to go on from"
	eval "${cmd/--uri SOURCE/--uri \"\$src\"} -q" | mvs-import "${opts[@]}" -q || fail "the resume command failed: $cmd"
	after=false
	for p in $(mvs-cat --header "$T/docs.mvs" | jq -r '.partitions[]'); do
		if $after; then
			mvs-export --uri "$src" --collection res_docs --partition "$p" -q | mvs-import "${opts[@]}" -q ||
				fail "importing partition $p failed"
		fi
		[ "$p" = "$part" ] && after=true
	done
	$after || fail "partition $part is not in the stream's header"
	# Only inserts: the statistics count every row written, twice if twice.
	[ "$(judge entities "$dst" res_cut)" = 12000 ] || fail "res_cut does not hold 12000 rows after the resume"
	dump "$dst" res_cut dst.res_cut
	judge compare "$T/src.res_docs.jsonl" "$T/dst.res_cut.jsonl" || fail "res_cut: rows differ after the resume"
	note "a stream cut in partition p_one: exit 4, $n rows reported and found; resumed as printed ($cmd, then the partitions after $part): 12000 rows, equal"
}

in_background killed
in_background cut
wait_background "resume"
