#!/usr/bin/env bash
# One progress line on a (pseudo-)terminal: in `mvs-export | mvs-import` mvs-export keeps quiet (its
# output is a pipe) and mvs-import shows the whole copy with percent, rate and ETA (the stream carries
# the rows to expect), each redraw erasing the line first and the last one cleared before the summary:
# what a person sees at the end has no progress leftovers and no two messages on one line.
# mvs-migrate's own progress is one line too, and never shows more rows imported than exported.
. "$MVS_TOP/tests/lib.sh"
need_node
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
pty_run=$MVS_TOP/tests/tools/pty-run
render=$MVS_TOP/tests/tools/tty-render

fake_start src
fake_start dst --insert-delay-ms 100
"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows 30000 --dim 32 --partitions 2 >"$T/wide.mvs"
mvs-import --uri "$src_URI" --create-index --load -q "$T/wide.mvs"

# screen_clean FILE WHAT: the rendered screen FILE has no two messages on one line and no progress
# line left over.
screen_clean() {
	if grep -E 'mvs-[a-z]+: .*mvs-[a-z]+: ' "$1"; then
		cat "$1" >&2; fail "$2: two messages on one line"
	fi
	if grep -E '^mvs-[a-z]+: ([0-9]+ rows \(|[^ ]+: [0-9]+ rows exported)' "$1"; then
		cat "$1" >&2; fail "$2: a progress line was left on the screen"
	fi
}

"$pty_run" "mvs-export --uri $src_URI --collection gen_0 | mvs-import --uri $dst_URI --collection p --batch-rows 1000" \
	>"$T/tty.raw" || fail "the pipeline failed: $(cat "$T/tty.raw")"
"$render" <"$T/tty.raw" >"$T/screen"
screen_clean "$T/screen" pipeline
grep -q '^mvs-export' "$T/screen" && { cat "$T/screen" >&2; fail "mvs-export spoke in a pipeline on a terminal"; }
has_line "$T/screen" "no summary" -E '^mvs-import: imported 30000 rows \([0-9]+ bytes\) into p in '
# the bytes: every progress redraw starts by erasing the line, and shows percent and ETA
python3 - "$T/tty.raw" <<'EOF' || fail "progress redraws"
import re, sys
raw = open(sys.argv[1], "rb").read()
draws = [m.start() for m in re.finditer(rb"mvs-import: [0-9]+ rows \(", raw)]
assert draws, "no progress line was drawn"
for at in draws:
    assert raw[at - 4:at] == b"\r\x1b[K", "a redraw does not erase the line first: %r" % raw[at - 8:at + 40]
assert re.search(rb"mvs-import: [0-9]+ rows \([0-9.]+%\), [0-9]+ rows/s, ETA [0-9]+:[0-9]{2}", raw), \
    "no percent and ETA"
EOF
note "pipeline: one progress line with percent and ETA, none left over, mvs-export quiet"

# --progress brings mvs-export's lines back in a pipeline
"$pty_run" "mvs-export --uri $src_URI --collection gen_0 --progress | mvs-cat --verify" >"$T/tty.raw" ||
	fail "export --progress failed"
"$render" <"$T/tty.raw" | grep -q '^mvs-export: exported 30000 rows' || fail "--progress does not bring the summary back"

# mvs-migrate: its progress line is redrawn in place and cleared; imported never above exported
plain_config "$T/migration.yaml" gen_0 "$src_URI" "$dst_URI"
"$pty_run" "mvs-migrate start -c $T/migration.yaml" >"$T/tty.raw" || fail "mvs-migrate failed: $(cat "$T/tty.raw")"
"$render" <"$T/tty.raw" >"$T/screen"
screen_clean "$T/screen" mvs-migrate
has_line "$T/screen" "mvs-migrate: no success line" -F 'Migration Success!'
sdk drop --uri "$dst_URI" --collection gen_0 >/dev/null
mvs-migrate start --progress -c "$T/migration.yaml" 2>"$T/log" || { cat "$T/log" >&2; fail "start --progress failed"; }
awk '/rows exported/ { e = $3; i = $6; if (i + 0 > e + 0) { print; bad = 1 } } END { exit bad }' "$T/log" ||
	fail "a progress line shows more rows imported than exported"
grep -q 'rows exported' "$T/log" || { cat "$T/log" >&2; fail "mvs-migrate --progress: no progress line"; }
note "mvs-migrate: one progress line, imported never above exported"
