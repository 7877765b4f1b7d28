# Benchmark 4, the codec in-process (sourced by bench/run): builds bench/codec_bench.c with the
# Makefile's flags against build/libmvs.a and runs it for dim 128 and dim 768 (CODEC_SIZES, ROWSxDIM).
# Writes the section to $BT/section-codec.md.

CODEC_PKGS="grpc libprotobuf-c msgpack libxxhash yaml-0.1 libmicrohttpd jansson"

codec_build() {
	local exe=$BENCH_BUILD/codec_bench incs="" dir
	[ -f "$MVS_TOP/build/libmvs.a" ] || die "build/libmvs.a is missing: run make"
	for dir in "$MVS_TOP"/lib/*/ "$MVS_TOP"/cmd/common/; do incs="$incs -I$dir"; done
	# shellcheck disable=SC2046,SC2086
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -g $incs -I"$MVS_TOP/build/gen" \
		$(pkg-config --cflags $CODEC_PKGS) -o "$exe" "$MVS_TOP/bench/codec_bench.c" \
		"$MVS_TOP/build/libmvs.a" $(pkg-config --libs $CODEC_PKGS) -lpthread -lm ||
		die "cannot build bench/codec_bench.c"
	echo "$exe"
}

bench_codec() {
	local sec=$BT/section-codec.md exe size rows dim name r n bytes s
	exe=$(codec_build)
	{
		echo "## 4. Codec, in-process"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "\`bench/codec_bench.c\` (built by bench/run with the Makefile's flags, \`-O2\`, against build/libmvs.a)"
		echo "builds rows of the \`wide\` shape (Int64, Int32, Float, VarChar, FloatVector) with msgpack-c and"
		echo "times each step in CPU seconds of the process (median of $CODEC_REPS repetitions), so that other load"
		echo "on the machine matters little. Encode = pack each row straight into the writer's rows frame"
		echo "(\`mvs_writer_row_begin\`/\`_append\`/\`_end\`, as mvs-export does), with framing, XXH3 and 1 MiB"
		echo "writes to /dev/null; decode = \`mvs_reader_next\` over the stream in a memfd (framing, row"
		echo "measuring, XXH3 check); decode + check adds \`mvs_row_check\` of every value. Baselines: msgpack-c"
		echo "packing the same rows alone, and msgpack-c's \`msgpack_unpack_next\` decoding them; \`memcpy\` of the"
		echo "stream is the memory-bandwidth ceiling, and \`read(2)\` of the stream from the memfd in 1 MiB calls is"
		echo "the part of decoding that any reader of a pipe or file pays (decode includes it; the msgpack-c"
		echo "unpack baseline reads from memory and does not, so decode is compared with read(2) + unpack). MB = 10^6 bytes of the stream (of the rows alone"
		echo "for the msgpack-c lines). In the last column, above 1 means faster than the baseline; encode"
		echo "includes building the rows, so it is the pack baseline plus what the stream adds (framing, XXH3,"
		echo "the writes; the pack baseline reuses one small buffer, the stream writes on through a 2 MiB one)."
		echo
		md_row "dim" "rows" "step" "rows/s" "MB/s" "vs baseline"
		md_row "---:" "---:" "---" "---:" "---:" "---"
	} >"$sec"
	for size in ${CODEC_SIZES//,/ }; do
		rows=${size%x*}; dim=${size#*x}
		say "codec: $rows rows, dim $dim"
		"$exe" --rows "$rows" --dim "$dim" --reps "$CODEC_REPS" >"$BT/codec.out" || die "codec_bench failed"
		declare -A secs=()
		while read -r name n bytes s; do
			secs[$name]=$s
			secs[$name.bytes]=$bytes
		done <"$BT/codec.out"
		for name in pack encode unpack read decode decode_check memcpy; do
			local label vs=""
			case $name in
			pack) label="msgpack-c pack (baseline)" ;;
			encode) label="encode"; vs="$(calc '%.2f' "${secs[pack]} / ${secs[encode]}")x the pack speed" ;;
			unpack) label="msgpack-c unpack (baseline)" ;;
			decode) label="decode"; vs="$(calc '%.2f' "(${secs[read]} + ${secs[unpack]}) / ${secs[decode]}")x read(2) + unpack" ;;
			decode_check) label="decode + check"; vs="$(calc '%.2f' "(${secs[read]} + ${secs[unpack]}) / ${secs[decode_check]}")x read(2) + unpack" ;;
			read) label="read(2) of the stream alone" ;;
			memcpy) label="memcpy (ceiling)" ;;
			esac
			md_row "$dim" "$rows" "$label" "$(calc '%.0f' "$rows / ${secs[$name]}")" \
				"$(calc '%.0f' "${secs[$name.bytes]} / ${secs[$name]} / 1e6")" "$vs" >>"$sec"
		done
	done
	echo >>"$sec"
}
