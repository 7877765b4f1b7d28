#!/usr/bin/env bash
# The status channel (--status-fd N, man/mvs-status.5) of mvs-export, mvs-import, mvs-map and mvs-cat
# against fake servers: the events in order with their documented fields; unit and end digests equal
# mvs-cat --digest of the same rows (with --auto-id new: without the key); progress that ends at the
# rows written; a truncated stream ends with its exit code and error; bad descriptors are usage
# errors; a reader of the channel that goes away does not fail the tool.
. "$MVS_TOP/tests/lib.sh"
need_node
gen=$MVS_TESTTOOLS/mvs-gen

fake_start src
fake_start dst
sdk seed --uri "$src_URI" --scenario varchar-pk --rows 3000 >/dev/null
sdk seed --uri "$src_URI" --scenario auto-id >/dev/null

# check EVENTS_FILE: the events as the man page gives them, printed as "event key=value ..." lines
# for the greps below. Fails on a line that is not a version 1 event, or events out of order.
check() {
	python3 - "$1" <<'EOF'
import json, sys
order = {"start": 0, "unit": 1, "partition": 2, "progress": 2, "unit_end": 3, "end": 4}
last = -1
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no events"
for n, line in enumerate(lines):
    e = json.loads(line)
    assert e["v"] == 1 and list(e)[:2] == ["v", "event"], line
    k = order[e["event"]]
    # a new unit after an end; mvs-import's progress (rows written) may follow the end of the unit read
    assert k >= last or (e["event"] in ("unit", "progress") and last == 3), ("out of order", line)
    last = k
    if e["event"] == "unit":
        e["fields"] = ",".join(f["name"] + ("*" if f.get("primary_key") else "") for f in e["fields"])
        e["partitions"] = ",".join(e["partitions"])
    print(e["event"], " ".join(f"{k}={v}" for k, v in e.items() if k not in ("v", "event")))
assert json.loads(lines[0])["event"] == "start" and json.loads(lines[-1])["event"] == "end", "start/end"
EOF
}

# Export: start, unit (schema summary), partitions, progress, unit_end, end.
mvs-export --uri "$src_URI" --collection varchar_pk --status-fd 3 3>"$T/export.events" >"$T/s.mvs" ||
	fail "export with --status-fd failed"
check "$T/export.events" >"$T/export.txt" || { cat "$T/export.events" >&2; fail "export events"; }
digest=$(mvs-cat --digest "$T/s.mvs" | cut -d' ' -f3)
grep -q "^start tool=mvs-export version=[0-9.]* pid=[0-9]*$" "$T/export.txt" || fail "export start event"
grep -q "^unit unit=0 collection=varchar_pk database=default fields=pk\*,vec,note partitions=_default,p1,p2 rows_expected=3000$" "$T/export.txt" ||
	{ cat "$T/export.txt" >&2; fail "export unit event"; }
[ "$(grep -c '^partition ' "$T/export.txt")" = 3 ] || fail "not 3 partition events"
grep -q "^unit_end unit=0 collection=varchar_pk rows=3000 bytes=[0-9]* digest=$digest digest_pk=True digest_partitions=True$" "$T/export.txt" ||
	{ cat "$T/export.txt" >&2; fail "export unit_end event (digest $digest)"; }
grep -q "^end exit=0 units=1 rows=3000 bytes=[0-9]* digest=$digest digest_pk=True digest_partitions=True$" "$T/export.txt" ||
	fail "export end event"
tail -n 3 "$T/export.txt" | grep -q "^progress unit=0 rows=3000 bytes=[0-9]* percent=100.0 rows_expected=3000$" ||
	{ cat "$T/export.txt" >&2; fail "export's last progress is not 3000 rows, 100%"; }

# Import: the same digest, and progress up to the rows written.
mvs-import --uri "$dst_URI" --status-fd 5 "$T/s.mvs" 5>"$T/import.events" 2>/dev/null || fail "import with --status-fd failed"
check "$T/import.events" >"$T/import.txt" || fail "import events"
grep -q "^end exit=0 units=1 rows=3000 bytes=[0-9]* digest=$digest digest_pk=True" "$T/import.txt" || { cat "$T/import.txt" >&2; fail "import end event"; }
grep '^progress ' "$T/import.txt" | tail -n 1 | grep -q " rows=3000 " || fail "import's last progress is not 3000 rows"

# --auto-id new: the target makes new keys, so the digest leaves the key out.
mvs-export --uri "$src_URI" --collection auto_id -q >"$T/a.mvs"
mvs-import --uri "$dst_URI" --collection auto_new --auto-id new --status-fd 3 "$T/a.mvs" 3>"$T/auto.events" 2>/dev/null ||
	fail "import --auto-id new failed"
nopk=$(mvs-cat --digest --ignore-pk "$T/a.mvs" | cut -d' ' -f3)
check "$T/auto.events" | grep -q "^end exit=0 units=1 rows=100 bytes=[0-9]* digest=$nopk digest_pk=False" ||
	{ cat "$T/auto.events" >&2; fail "--auto-id new: digest without the key"; }

# mvs-map reports what it writes; mvs-cat what it reads, with its digest options.
mvs-map --fields pk,vec --status-fd 3 "$T/s.mvs" 3>"$T/map.events" >"$T/m.mvs" || fail "map failed"
check "$T/map.events" | grep -q "^end exit=0 units=1 rows=3000 bytes=[0-9]* digest=$(mvs-cat --digest "$T/m.mvs" | cut -d' ' -f3) " ||
	fail "map end event"
mvs-cat --verify -q --fields note --ignore-partitions --status-fd 3 "$T/s.mvs" 3>"$T/cat.events" || fail "cat failed"
want=$(mvs-cat --digest --fields note --ignore-partitions "$T/s.mvs" | cut -d' ' -f3)
check "$T/cat.events" | grep -q "^end exit=0 units=1 rows=3000 bytes=[0-9]* digest=$want digest_pk=True digest_partitions=False$" ||
	{ cat "$T/cat.events" >&2; fail "cat end event with --fields"; }

# A truncated stream: the end event carries the exit code and the error.
head -c 50000 "$T/s.mvs" >"$T/cut.mvs"
expect_exit 4 mvs-cat --verify -q --status-fd 3 "$T/cut.mvs" 3>"$T/cut.events"
check "$T/cut.events" | grep -q "^end exit=4 units=0 rows=0 bytes=0 error=.*truncated" || { cat "$T/cut.events" >&2; fail "truncated: end event"; }
expect_exit 4 mvs-import --uri "$dst_URI" --collection cut --status-fd 3 "$T/cut.mvs" 3>"$T/cut2.events" 2>/dev/null
check "$T/cut2.events" | grep -q "^end exit=4 " || fail "import of a truncated stream: end event"
"$gen" --rows 10 >"$T/g.mvs"

# Bad descriptors: usage errors.
expect_exit 2 mvs-cat --verify --status-fd 1 "$T/g.mvs"
expect_exit 2 mvs-cat --verify --status-fd x "$T/g.mvs"
expect_exit 2 mvs-cat --verify --status-fd 9 "$T/g.mvs" 9>&-
grep -q "^mvs-cat: --status-fd 9: not a file descriptor open for writing$" "$T/stderr" || { cat "$T/stderr" >&2; fail "closed descriptor message"; }

# A reader that has gone away (a pipe whose read end is closed before the tool starts, so the first
# write fails every time): one warning, the tool succeeds.
python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 3)
sys.exit(subprocess.run(sys.argv[1:], pass_fds=(3,)).returncode)' \
	mvs-cat --verify --status-fd 3 "$T/s.mvs" >/dev/null 2>"$T/gone.err" || fail "a channel reader that left failed the tool"
grep -q "^mvs-cat: warning: --status-fd: cannot write the status channel" "$T/gone.err" || { cat "$T/gone.err" >&2; fail "no warning for the dropped channel"; }
