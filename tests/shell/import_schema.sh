#!/usr/bin/env bash
# mvs-import into collections that exist, and the auto-ID choices:
# - an existing collection with another dim is refused before any row is sent (exit 8, the message
#   names the field and both dims; the target stays empty);
# - an existing collection with the same schema takes the rows (appended, no row-count check);
# - auto-ID keys: kept by default on a 2.6 server (see import_scenarios); refused on a 2.5 server with
#   advice to pass --auto-id new, and refused by an existing auto-ID collection without
#   allow_insert_auto_id, before anything is created or written; --auto-id new then writes every row
#   with new keys;
# - --db with --create-db creates a missing database; without it a missing database is an error that
#   says so.
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start src
fake_start dst
fake_start old --version v2.5.3

sdk seed --uri "$src_URI" --scenario wide --dim 16 --rows 500 >/dev/null
mvs-export --uri "$src_URI" --collection wide -q -o "$T/wide.mvs"

# ---- another dim: refused before any insert ----
sdk seed --uri "$dst_URI" --scenario wide --dim 32 --rows 0 >/dev/null
expect_exit 8 mvs-import --uri "$dst_URI" "$T/wide.mvs"
grep -q '^mvs-import: error: collection "wide" exists with a different schema (field "vec": dim 32 in the collection, 16 in the stream)$' \
	"$T/stderr" || { cat "$T/stderr" >&2; fail "dim mismatch: message"; }
grep -q '^mvs-import: no rows of this unit were written into "wide"$' "$T/stderr" || fail "dim mismatch: report"
[ "$(sdk count --uri "$dst_URI" --collection wide)" = 0 ] || fail "dim mismatch: rows were written"
note "another dim refused, target still empty"

# ---- the same schema: rows appended ----
sdk seed --uri "$dst_URI" --scenario wide --dim 16 --rows 0 --drop >/dev/null
mvs-import --uri "$dst_URI" "$T/wide.mvs" 2>"$T/err" || { cat "$T/err" >&2; fail "same schema: import failed"; }
! grep -q "created collection" "$T/err" || fail "same schema: created a collection"
grep -q '^mvs-import: imported 500 rows ' "$T/err" || fail "same schema: summary"
sdk dump --uri "$src_URI" --collection wide --out "$T/src.jsonl"
sdk dump --uri "$dst_URI" --collection wide --out "$T/dst.jsonl"
sdk compare "$T/src.jsonl" "$T/dst.jsonl" >/dev/null || fail "same schema: rows differ"
note "existing collection with the same schema: 500 rows appended"

# ---- auto-ID keys ----
sdk seed --uri "$src_URI" --scenario auto-id >/dev/null
mvs-export --uri "$src_URI" --collection auto_id -q -o "$T/auto.mvs"
expect_exit 8 mvs-import --uri "$old_URI" "$T/auto.mvs"
grep -q '^mvs-import: error: the primary key "id" is auto-ID and Milvus v2.5.3 cannot keep given keys for it .*pass --auto-id new' \
	"$T/stderr" || { cat "$T/stderr" >&2; fail "auto-id on 2.5: message"; }
sdk call --uri "$old_URI" --method HasCollection --request '{"collection_name":"auto_id"}' | grep -q '"value":false' ||
	fail "auto-id on 2.5: the collection was created"

sdk seed --uri "$dst_URI" --scenario auto-id --rows 0 >/dev/null
expect_exit 8 mvs-import --uri "$dst_URI" "$T/auto.mvs"
grep -q 'is auto-ID and the collection does not accept given keys (property allow_insert_auto_id); pass --auto-id new' \
	"$T/stderr" || { cat "$T/stderr" >&2; fail "auto-id into an existing auto-ID collection: message"; }
[ "$(sdk count --uri "$dst_URI" --collection auto_id)" = 0 ] || fail "auto-id: rows were written"

# --auto-id new: every row, new keys; the rows without their keys are the source's
mvs-import --uri "$old_URI" --auto-id new --create-index --load -q "$T/auto.mvs" || fail "--auto-id new on 2.5 failed"
mvs-import --uri "$dst_URI" --auto-id new -q "$T/auto.mvs" || fail "--auto-id new into the existing collection failed"
sdk dump --uri "$src_URI" --collection auto_id --out "$T/src.jsonl"
for server in "$old_URI" "$dst_URI"; do
	sdk dump --uri "$server" --collection auto_id --out "$T/dst.jsonl"
	for f in src dst; do sed 1d "$T/$f.jsonl" | sed 's/"id":[0-9]*,//' | sort >"$T/$f.rows"; done
	cmp -s "$T/src.rows" "$T/dst.rows" || fail "--auto-id new ($server): rows differ apart from their keys"
	head -n 1 "$T/dst.jsonl" | grep -q '"name":"id",[^}]*"auto_id":true' || fail "--auto-id new ($server): the key is not auto-ID"
	cmp -s <(sed 1d "$T/src.jsonl" | grep -o '"id":[0-9]*' | sort) \
		<(sed 1d "$T/dst.jsonl" | grep -o '"id":[0-9]*' | sort) && fail "--auto-id new ($server): the keys were kept"
done
note "auto-ID: refusals before writing; --auto-id new writes every row with new keys"

# ---- databases ----
expect_exit 6 mvs-import --uri "$dst_URI" --db archive "$T/wide.mvs"
grep -q 'database "archive".*--create-db' "$T/stderr" || { cat "$T/stderr" >&2; fail "missing database: message"; }
mvs-import --uri "$dst_URI" --db archive --create-db --create-index --load "$T/wide.mvs" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "--create-db failed"; }
grep -q '^mvs-import: created database "archive"$' "$T/err" || fail "--create-db: no note"
sdk dump --uri "$dst_URI" --db archive --collection wide --out "$T/dst.jsonl"
sdk dump --uri "$src_URI" --collection wide --out "$T/src.jsonl"
sdk compare "$T/src.jsonl" "$T/dst.jsonl" >/dev/null || fail "--create-db: the copy differs"
note "--create-db: database created, collection identical"
