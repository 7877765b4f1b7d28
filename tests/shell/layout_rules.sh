#!/usr/bin/env bash
# The folder rules hold and are enforced: scripts/check-layout (which the build runs before compiling)
# passes on the tree, and refuses a copy of the tree with a library header in the wrong folder, an
# include across a forbidden edge, or two modules that include each other; a forbidden project include
# also fails to compile, because each folder gets only its allowed include paths. mvs-cat and mvs-map
# link neither gRPC nor protobuf-c.
. "$MVS_TOP/tests/lib.sh"

make -s -C "$MVS_TOP" layout >"$T/ok.out" 2>&1 || { cat "$T/ok.out" >&2; fail "the tree breaks its own folder rules"; }

# copy: a fresh copy of what check-layout reads (and the Makefile that states the rules)
copy() {
	rm -rf "$T/tree" && mkdir -p "$T/tree"
	cp -r "$MVS_TOP/Makefile" "$MVS_TOP/lib" "$MVS_TOP/cmd" "$MVS_TOP/scripts" "$MVS_TOP/proto" "$T/tree/"
}
# refused WHAT PATTERN: the copy's check fails and names PATTERN
refused() {
	local rc=0
	make -s -C "$T/tree" layout >"$T/bad.out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "check-layout accepted $1"
	grep -q -- "$2" "$T/bad.out" || { cat "$T/bad.out" >&2; fail "check-layout refused $1 without naming $2"; }
}

copy
sed -i '0,/^#include <string.h>/s//#include <string.h>\n#include <grpc\/grpc.h>/' "$T/tree/lib/stream/mvs_row.c"
refused "gRPC in lib/stream" "lib/stream/mvs_row.c includes <grpc/grpc.h> (grpc)"

copy
sed -i '0,/^#include "mvs_mpack.h"/s//#include "mvs_mpack.h"\n#include "mvs_milvus.h"/' "$T/tree/lib/stream/mvs_row.c"
refused "lib/stream using lib/milvus" "lib/stream/mvs_row.c includes lib/milvus/mvs_milvus.h"

copy
sed -i '0,/^#include "mvs_utf8.h"/s//#include "mvs_utf8.h"\n#include "mvs_config.h"/' "$T/tree/lib/stream/mvs_check.c"
refused "lib/stream using lib/migrate" "lib/migrate/mvs_config.h"

copy
sed -i '0,/^#include <stddef.h>/s//#include <stddef.h>\n#include "mvs_check.h"/' "$T/tree/lib/stream/mvs_mpack.h"
refused "a cycle mvs_check -> mvs_mpack -> mvs_check" "circle"

# The compiler enforces the same edges on its own: with the check skipped (-o), lib/stream's object
# does not compile when it includes a lib/milvus header, for want of the include path.
copy
make -s -C "$T/tree" -o build/layout.ok build/obj/lib/stream/mvs_row.o >"$T/cc.out" 2>&1 || fail "lib/stream/mvs_row.c does not compile in a copy of the tree"
sed -i '0,/^#include "mvs_mpack.h"/s//#include "mvs_mpack.h"\n#include "mvs_milvus.h"/' "$T/tree/lib/stream/mvs_row.c"
if make -s -C "$T/tree" -o build/layout.ok build/obj/lib/stream/mvs_row.o >"$T/cc.out" 2>&1; then
	fail "lib/stream/mvs_row.c compiled with a lib/milvus include"
fi
grep -q 'mvs_milvus.h: No such file' "$T/cc.out" || { cat "$T/cc.out" >&2; fail "the compile failed for another reason"; }

for tool in mvs-cat mvs-map; do
	libs=$(ldd "$MVS_BIN/$tool")
	if grep -Eq 'libgrpc|libprotobuf-c' <<<"$libs"; then fail "$tool links gRPC or protobuf-c: $libs"; fi
done
ldd "$MVS_BIN/mvs-export" | grep -q libgrpc || fail "ldd cannot see gRPC in mvs-export (the check above would prove nothing)"
echo "folder rules hold and are enforced"
