#!/usr/bin/env bash
# Descriptions are user text that Milvus keeps byte for byte, U+0000 included: a collection, field and
# another field described with NUL bytes (alone, inside, trailing) are written by pymilvus, exported,
# shown by mvs-cat as \u0000, and imported into the other server, where pymilvus reads the same bytes.
# (Before proto/ declared descriptions `bytes`, protobuf-c cut them at the first NUL and the copy
# exited 0 with the descriptions changed.)
. "$MVS_TOP/tests/real/lib.sh"
src=$MVS_REAL_SRC dst=$MVS_REAL_DST

# describe URI: the collection's and its fields' descriptions, as Python reprs, one per line
describe() {
	"$MVS_REAL_PY" - "$1" <<'PY'
import sys
from pymilvus import connections, Collection
connections.connect(uri="http://" + sys.argv[1])
c = Collection("described")
print(repr(c.schema.description))
for f in c.schema.fields:
    print(f.name, repr(f.description))
PY
}

"$MVS_REAL_PY" - "$src" <<'PY' || fail "pymilvus could not create the described collection"
import sys
from pymilvus import connections, FieldSchema, CollectionSchema, DataType, Collection
connections.connect(uri="http://" + sys.argv[1])
fields = [FieldSchema("id", DataType.INT64, is_primary=True, description="\x00"),
          FieldSchema("title", DataType.VARCHAR, max_length=64, description="a\x00b\x00\x00"),
          FieldSchema("v", DataType.FLOAT_VECTOR, dim=4, description="vec\u00e9\x00")]
c = Collection("described", CollectionSchema(fields, description="one\x00two"))
c.insert([[1, 2], ["x", "y"], [[0.5] * 4, [0.25] * 4]])
c.flush()
c.create_index("v", {"index_type": "FLAT", "metric_type": "L2", "params": {}})
c.load()
PY
describe "$src" >"$T/src.txt"
grep -qF "'one\\x00two'" "$T/src.txt" || { cat "$T/src.txt" >&2; fail "the source did not keep the NUL bytes (nothing to copy)"; }

mvs-export --uri "$src" --collection described -q >"$T/d.mvs" || fail "export failed"
mvs-cat --header "$T/d.mvs" >"$T/header.json"
grep -qF '"description":"one\u0000two"' "$T/header.json" || { cat "$T/header.json" >&2; fail "mvs-cat does not show the collection description whole"; }
grep -qF '"description":"a\u0000b\u0000\u0000"' "$T/header.json" || fail "mvs-cat does not show the field description whole"
mvs-import --uri "$dst" -q "$T/d.mvs" || fail "import failed"
describe "$dst" >"$T/dst.txt"
diff "$T/src.txt" "$T/dst.txt" >&2 || fail "pymilvus reads other descriptions on the target"
note "descriptions with U+0000 copied byte for byte: $(tr '\n' ' ' <"$T/dst.txt")"
