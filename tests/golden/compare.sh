# Comparisons shared by the shell tests that keep expected outputs here (source it after lib.sh).
# The files in this directory are the expected outputs; to regenerate them after an intended change,
# run the tests with MVS_UPDATE_GOLDEN=1 and read the diff before committing it.

# golden NAME FILE: FILE must equal tests/golden/NAME.
golden() {
	local want=$MVS_TOP/tests/golden/$1
	if [ "${MVS_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$2" "$want"
		return
	fi
	[ -f "$want" ] || fail "missing expected output tests/golden/$1"
	diff -u "$want" "$2" >&2 || fail "$2 differs from tests/golden/$1"
}

# json_lines FILE: every line of FILE is one valid JSON value (checked by an independent parser).
json_lines() {
	node -e '
		const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
		if (lines.pop() !== "") throw new Error("no newline at the end");
		lines.forEach((l, i) => { try { JSON.parse(l); } catch (e) {
			console.error(`line ${i + 1}: ${e.message}`); process.exit(1); } });
	' "$1" || fail "$1 is not valid JSON Lines"
}

# same_rows A B: the JSON Lines files hold the same rows, ignoring the order of keys.
same_rows() {
	node -e '
		const fs = require("fs");
		const sorted = (v) => Array.isArray(v) ? v.map(sorted) : v && typeof v === "object"
			? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
		const rows = (f) => fs.readFileSync(f, "utf8").split("\n").filter(Boolean)
			.map((l) => JSON.stringify(sorted(JSON.parse(l))));
		const a = rows(process.argv[1]), b = rows(process.argv[2]);
		if (a.length !== b.length) { console.error(`${a.length} rows != ${b.length}`); process.exit(1); }
		a.forEach((r, i) => { if (r !== b[i]) { console.error(`row ${i + 1}:\n${r}\n${b[i]}`); process.exit(1); } });
	' "$1" "$2" || fail "$1 and $2 hold different rows"
}
