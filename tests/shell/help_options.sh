#!/usr/bin/env bash
# -h is --help in every tool: the same usage text on standard output, exit 0.
. "$MVS_TOP/tests/lib.sh"
for tool in mvs-cat mvs-map mvs-export mvs-import mvs-migrate; do
	"$tool" -h >"$T/short" 2>"$T/stderr" || { cat "$T/stderr" >&2; fail "$tool -h failed"; }
	"$tool" --help >"$T/long" || fail "$tool --help failed"
	grep -q "^Usage: $tool" "$T/short" || fail "$tool -h prints no usage"
	cmp -s "$T/short" "$T/long" || fail "$tool -h and --help differ"
done
note "-h and --help agree in every tool"
