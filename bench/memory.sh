# Benchmark 3, memory (sourced by bench/run): peak RSS of mvs-import, mvs-export and mvs-map (passthrough
# and selection) at default settings, for each row count of MEMORY_ROWS (dim 128). The baseline is the
# smallest count: the target is flat (the largest within 20% of it) and under 100 MiB.
# Writes the section to $BT/section-memory.md.

bench_memory() {
	local sec=$BT/section-memory.md n f=$BT/mem.mvs g=$BT/mem-export.mvs
	local -a counts wide
	IFS=, read -ra counts <<<"$MEMORY_ROWS"
	IFS=, read -ra wide <<<"$MEMORY_WIDE_ROWS"
	local stage
	declare -A rss

	for n in "${counts[@]}"; do
		say "memory: $n rows, dim 128"
		"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$n" --dim 128 >"$f"
		bench_fake_start mem
		timed "$BT/t" mvs-import -q --uri "$mem_URI" --collection bench --create-index --load <"$f"
		rss[import,$n]=$(time_field "$BT/t" 4)
		timed "$BT/t" mvs-export -q --uri "$mem_URI" --collection bench >"$g"
		rss[export,$n]=$(time_field "$BT/t" 4)
		bench_stop "$mem_PID"
		mvs-cat --verify -q "$g" || die "memory: the export of $n rows does not verify"
		timed "$BT/t" mvs-map <"$g" >/dev/null
		rss[map,$n]=$(time_field "$BT/t" 4)
		timed "$BT/t" mvs-map --fields id,vec <"$g" >/dev/null
		rss[mapsel,$n]=$(time_field "$BT/t" 4)
		rss[bytes,$n]=$(stat -c %s "$g")
		rm -f "$f" "$g"
	done
	# mvs-import holds whole batches: also at dim 768, where a batch is few, wide rows
	for n in "${wide[@]}"; do
		say "memory: mvs-import, $n rows, dim 768"
		"$MVS_TESTTOOLS/mvs-gen" --scenario wide --rows "$n" --dim 768 >"$f"
		bench_fake_start mem
		timed "$BT/t" mvs-import -q --uri "$mem_URI" --collection bench <"$f"
		rss[wide,$n]=$(time_field "$BT/t" 4)
		bench_stop "$mem_PID"
		rm -f "$f"
	done

	local first=${counts[0]} last=${counts[${#counts[@]}-1]}
	{
		echo "## 3. Memory"
		echo
		echo "Machine: $(machine_line)."
		echo
		echo "Peak resident set size (\`/usr/bin/time -f %M\`) of each stage at its default settings, for"
		echo "collections of \`mvs-gen --scenario wide --dim 128\` rows (stream sizes: $(for n in "${counts[@]}"; do printf '%s rows %s MB; ' "$n" "$(calc '%.0f' "${rss[bytes,$n]} / 1e6")"; done | sed 's/; $//')),"
		echo "one fake Milvus server per count. Commands:"
		echo
		echo '```sh'
		echo 'mvs-import -q --uri SRV --collection bench --create-index --load < gen.mvs'
		echo 'mvs-export -q --uri SRV --collection bench > export.mvs'
		echo 'mvs-map < export.mvs > /dev/null'
		echo 'mvs-map --fields id,vec < export.mvs > /dev/null'
		echo '```'
		echo
		echo "Baseline: the same stage at $first rows. Target: at $last rows within 20% of that, and under 100 MiB."
		echo
		local hdr=("stage") al=("---") c
		for n in "${counts[@]}"; do hdr+=("$n rows (MiB)"); al+=("---:"); done
		md_row "${hdr[@]}" "growth" "target"
		md_row "${al[@]}" "---:" "---"
		for stage in import export map mapsel; do
			local cells=() name growth met
			case $stage in
			import) name="mvs-import" ;; export) name="mvs-export" ;;
			map) name="mvs-map (passthrough)" ;; mapsel) name="mvs-map --fields id,vec" ;;
			esac
			for n in "${counts[@]}"; do cells+=("$(calc '%.1f' "${rss[$stage,$n]} / 1024")"); done
			growth=$(calc '%+.1f%%' "100 * (${rss[$stage,$last]} - ${rss[$stage,$first]}) / ${rss[$stage,$first]}")
			met=$(awk -v a="${rss[$stage,$first]}" -v b="${rss[$stage,$last]}" \
				'BEGIN { print (b <= a * 1.2 && b < 102400) ? "**met**" : "**not met**" }')
			md_row "$name" "${cells[@]}" "$growth" "$met"
		done
		echo
		local wf=${wide[0]} wl=${wide[${#wide[@]}-1]}
		echo "At dim 768 (\`mvs-gen --scenario wide --dim 768\`, \`mvs-import -q --uri SRV --collection bench\`),"
		echo "mvs-import peaks at $(for n in "${wide[@]}"; do printf '%s MiB for %s rows, ' "$(calc '%.1f' "${rss[wide,$n]} / 1024")" "$n"; done | sed 's/, $//')"
		echo "($(calc '%+.1f%%' "100 * (${rss[wide,$wl]} - ${rss[wide,$wf]}) / ${rss[wide,$wf]}")): $(awk -v a="${rss[wide,$wf]}" -v b="${rss[wide,$wl]}" \
			'BEGIN { print (b <= a * 1.2 && b < 102400) ? "flat and under 100 MiB too" : "**not** flat or not under 100 MiB" }')."
		echo
	} >"$sec"
}
