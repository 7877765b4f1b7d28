#!/usr/bin/env bash
# Ctrl-C as a person presses it: `mvs-export | mvs-import` on a (pseudo-)terminal, interrupted at a
# random moment of the copy, exits 130 with the report of a failed import (rows written, the last key,
# how to resume), and the resume it prints gives the source's exact rows. A second Ctrl-C quits at
# once and says so. SIGTERM to mvs-import alone gives the same report (exit 143). The target answers
# each Insert 100 ms late (--insert-delay-ms), so the copy lasts long enough to be interrupted.
. "$MVS_TOP/tests/lib.sh"
need_node
command -v python3 >/dev/null || { echo "python3 is not installed"; exit 77; }
pty_run=$MVS_TOP/tests/tools/pty-run

fake_start src
fake_start dst --insert-delay-ms 100
"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows 40000 --dim 32 --partitions 2 >"$T/wide.mvs"
mvs-import --uri "$src_URI" --create-index --load -q "$T/wide.mvs"
sdk dump --uri "$src_URI" --collection gen_0 --out "$T/src.jsonl"
partitions=$(mvs-cat --header "$T/wide.mvs" | node -e '
	const h = JSON.parse(require("fs").readFileSync(0, "utf8"));
	process.stdout.write(h.partitions.join(" "));')

# plain FILE: the lines a person sees on the terminal after the bytes of FILE (see tests/tools/tty-render)
plain() { "$MVS_TOP/tests/tools/tty-render" <"$1"; }

# resume NAME REPORT: runs the resume that REPORT (mvs-import's stderr) prints into collection NAME,
# as a person would copy it, then checks that NAME holds exactly the source's rows.
resume() {
	local name=$1 report=$2 line mode="" part filter after=false p
	line=$(sed -n 's/^mvs-import: to resume, import the rest\( with --mode upsert\)\{0,1\}[^:]*: //p' "$report")
	grep -q '^mvs-import: to resume, import the rest with --mode upsert' "$report" && mode="--mode upsert"
	if [ -z "$line" ]; then
		# nothing known to be written in key order: the whole stream again, replacing what is there
		grep -Eq "^mvs-import: (no rows of this unit were written|or import the whole stream again with --mode upsert|to resume, import the whole stream again with --mode upsert)" "$report" ||
			{ cat "$report" >&2; fail "$name: the report says no way to resume"; }
		mvs-export --uri "$src_URI" --collection gen_0 -q |
			mvs-import --uri "$dst_URI" --collection "$name" --mode upsert --create-index --load -q || fail "$name: the re-run failed"
	else
		eval "set -- ${line% | mvs-import*}"
		[ "$1 $2 $3 $4 $5 $6 $8" = "mvs-export --uri SOURCE --collection gen_0 --partition --filter" ] ||
			fail "$name: resume command: $line"
		part=$7 filter=$9
		# shellcheck disable=SC2086
		mvs-export --uri "$src_URI" --collection gen_0 --partition "$part" --filter "$filter" -q |
			mvs-import --uri "$dst_URI" --collection "$name" $mode --create-index --load -q || fail "$name: the resume failed"
		for p in $partitions; do
			if $after; then
				# shellcheck disable=SC2086
				mvs-export --uri "$src_URI" --collection gen_0 --partition "$p" -q |
					mvs-import --uri "$dst_URI" --collection "$name" $mode --create-index --load -q ||
					fail "$name: the resume of partition $p failed"
			fi
			[ "$p" = "$part" ] && after=true
		done
	fi
	sdk dump --uri "$dst_URI" --collection "$name" --out "$T/dst.jsonl"
	sdk compare "$T/src.jsonl" "$T/dst.jsonl" --ignore-schema-keys collection.name >/dev/null ||
		fail "$name: the resumed copy differs from the source"
}

# Two interrupts at random moments of the copy (0 to 0.8 s after the progress line appears).
for round in 1 2; do
	name=ctrl_c_$round
	delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", rand() * 0.8 }')
	rc=0
	"$pty_run" --after 'rows/s' --ctrl-c "$delay" \
		"mvs-export --uri $src_URI --collection gen_0 | mvs-import --uri $dst_URI --collection $name --batch-rows 1000" \
		>"$T/tty.raw" || rc=$?
	plain "$T/tty.raw" >"$T/report"
	if [ "$rc" = 0 ]; then
		note "$name: Ctrl-C $delay s in came after the copy had finished"
		continue
	fi
	[ "$rc" = 130 ] || { cat "$T/report" >&2; fail "$name: exit $rc after Ctrl-C, not 130"; }
	has_line "$T/report" "$name: no interrupt message" -x 'mvs-import: error: interrupted by SIGINT (Ctrl-C)'
	has_line "$T/report" "$name: no report of what was written" -E \
		'^mvs-import: ([0-9]+ rows were written|no rows of this unit were)'
	grep -q 'truncated' "$T/report" && { cat "$T/report" >&2; fail "$name: the interrupt was reported as a truncated stream"; }
	resume "$name" "$T/report"
	note "$name: Ctrl-C $delay s into the copy: $(grep -Eo '[0-9]+ rows were written' "$T/report" || echo "nothing written"), resumed exactly"
done

# A second Ctrl-C while it waits for the requests in flight (each answered 3 s late) quits at once.
fake_start slow --insert-delay-ms 3000
rc=0
"$pty_run" --after 'created collection' --ctrl-c 0.5 --ctrl-c 0.5 \
	"mvs-export --uri $src_URI --collection gen_0 | mvs-import --uri $slow_URI --collection twice --batch-rows 1000" \
	>"$T/tty.raw" || rc=$?
plain "$T/tty.raw" >"$T/twice"
[ "$rc" = 130 ] || { cat "$T/twice" >&2; fail "second Ctrl-C: exit $rc, not 130"; }
has_line "$T/twice" "the first Ctrl-C does not say it waits" -E '^mvs-import: interrupted: waiting up to 5 s for the [0-9]+ requests? in flight$'
has_line "$T/twice" "the second Ctrl-C does not say it quits" -F \
	'mvs-import: interrupted again: quitting at once (the requests in flight may or may not be in the target: resume with --mode upsert)'
grep -q 'rows were written' "$T/twice" && { cat "$T/twice" >&2; fail "a report after the second Ctrl-C"; }
note "a second Ctrl-C quits at once"

# SIGTERM to mvs-import alone (a service manager, kill): the same report, exit 143.
mvs-export --uri "$src_URI" --collection gen_0 -q -o "$T/full.mvs"
mvs-import --uri "$dst_URI" --collection term --batch-rows 1000 --progress "$T/full.mvs" 2>"$T/term.err" &
pid=$!
_pids+=("$pid")
for _ in $(seq 1 200); do grep -q 'rows/s' "$T/term.err" && break; sleep 0.05; done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 143 ] || { cat "$T/term.err" >&2; fail "SIGTERM: exit $rc, not 143"; }
has_line "$T/term.err" "SIGTERM: no message" -x 'mvs-import: error: interrupted by SIGTERM'
resume term "$T/term.err"
note "SIGTERM: $(grep -Eo '[0-9]+ rows were written' "$T/term.err"), resumed exactly"

# mvs-migrate with two shards, Ctrl-C during the copy: the cause once, then each shard's report (the
# stages run in a process group of their own: the runner stops them, and they report), exit 130. The
# target answers each Insert 1.5 s late: the Ctrl-C comes while the first ones are in flight.
fake_start mslow --insert-delay-ms 1500
plain_config "$T/migration.yaml" gen_0 "$src_URI" "$mslow_URI" 2
for presses in 1 2; do
	sdk drop --uri "$mslow_URI" --collection gen_0 >/dev/null 2>&1 || true
	ctrl_c=(--ctrl-c 0.3)
	[ "$presses" = 2 ] && ctrl_c+=(--ctrl-c 0.2)
	rc=0
	"$pty_run" --after 'created collection' "${ctrl_c[@]}" "mvs-migrate start -c $T/migration.yaml" >"$T/tty.raw" || rc=$?
	plain "$T/tty.raw" >"$T/migrate.out"
	[ "$rc" = 130 ] || { cat "$T/migrate.out" >&2; fail "mvs-migrate, $presses Ctrl-C: exit $rc, not 130"; }
	has_line "$T/migrate.out" "mvs-migrate: no cause" -xF 'mvs-migrate: error: Migration failed: interrupted by SIGINT (Ctrl-C)'
	[ "$(grep -c 'error:' "$T/migrate.out")" = 1 ] || { cat "$T/migrate.out" >&2; fail "mvs-migrate: more than one error line"; }
	if [ "$presses" = 1 ]; then
		for s in 0 1; do
			has_line "$T/migrate.out" "mvs-migrate: no report of shard $s" -E \
				"^mvs-import: shard $s/2: ([0-9]+ rows were written|no rows of this unit were|the 1 unit read was imported completely)"
		done
		note "mvs-migrate: one Ctrl-C: each shard's report"
	else
		has_line "$T/migrate.out" "mvs-migrate: the second Ctrl-C is not told" -xF \
			'mvs-migrate: interrupted again: stopping every stage at once'
		note "mvs-migrate: a second Ctrl-C stops every stage at once"
	fi
done
