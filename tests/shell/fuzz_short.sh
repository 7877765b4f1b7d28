#!/usr/bin/env bash
# A short libFuzzer run of every tests/fuzz target (MVS_FUZZ_SECONDS each, default 10): the stream
# reader, value checks, JSON rendering and mvs-map rows on mutated streams, and the config reader.
# Skipped when clang cannot build a libFuzzer program (scripts/bootstrap installs clang and its runtimes),
# unless MVS_FUZZ_REQUIRED=1 (CI), where that fails. `make fuzz` runs the same targets longer.
. "$MVS_TOP/tests/lib.sh"

# skip WHY: a skip, or a failure where the fuzz targets must run
skip() { [ "${MVS_FUZZ_REQUIRED:-0}" = 1 ] && fail "$1 (MVS_FUZZ_REQUIRED=1)"; echo "$1"; exit 77; }
command -v clang >/dev/null || skip "clang is not installed"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n > 1 && 0; }\n' \
	>"$T/probe.c"
clang -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" >/dev/null 2>&1 ||
	skip "clang has no libFuzzer (-fsanitize=fuzzer)"

make -s -C "$MVS_TOP/tests/fuzz" run FUZZ_SECONDS="${MVS_FUZZ_SECONDS:-10}" >"$T/fuzz.log" 2>&1 || {
	grep -E 'runtime error|ERROR: |SUMMARY: |Test unit written|^fuzz: |Error' "$T/fuzz.log" >&2
	fail "a fuzz target failed (inputs in build/fuzz/artifacts)"
}
grep -E '^fuzz: |stat::number_of_executed_units' "$T/fuzz.log"
