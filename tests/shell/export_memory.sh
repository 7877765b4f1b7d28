#!/usr/bin/env bash
# mvs-export's memory stays flat: exporting 200k rows of a narrow collection (dim 8) peaks within 20%
# of the resident memory of exporting 20k rows, since pages and stream frames have bounded sizes and
# nothing accumulates per row. A measurement (peak RSS), not a timing.
. "$MVS_TOP/tests/lib.sh"
need_node

exe=$(command -v mvs-export)
if grep -q __asan_init "$exe"; then
	echo "mvs-export is built with AddressSanitizer: its memory use is not the program's"
	exit 77
fi

# peak_rss_kb CMD...: runs CMD (output to /dev/null) and prints its peak resident set size in KiB
if [ -x /usr/bin/time ]; then
	peak_rss_kb() {
		/usr/bin/time -f '%M' -o "$T/rss" "$@" >/dev/null
		tail -n 1 "$T/rss"
	}
elif command -v python3 >/dev/null; then
	peak_rss_kb() {
		python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
	}
else
	echo "neither /usr/bin/time nor python3 is installed: cannot measure peak RSS"
	exit 77
fi

fake_start src
sdk seed --uri "$src_URI" --scenario wide --collection small --rows 20000 --dim 8 >/dev/null
sdk seed --uri "$src_URI" --scenario wide --collection big --rows 200000 --dim 8 >/dev/null

small=$(peak_rss_kb mvs-export -q --uri "$src_URI" --collection small)
big=$(peak_rss_kb mvs-export -q --uri "$src_URI" --collection big)
note "peak RSS: 20k rows ${small} KiB, 200k rows ${big} KiB"
[ "$big" -le $((small * 120 / 100)) ] || fail "peak RSS grows with the row count: ${small} KiB -> ${big} KiB"
# and the 200k rows were all there
mvs-export -q --uri "$src_URI" --collection big | mvs-cat --verify | grep -q '^ok: collection big, 200000 rows' ||
	fail "the 200k-row export is incomplete"
