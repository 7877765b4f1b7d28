#!/usr/bin/env bash
# mvs against tests/fake-milvus in its Milvus 2.3 mode (--version v2.3.5-lite; tests/real/real_fake_agree.sh
# keeps that mode agreeing with the real Milvus 2.3.5): pages without session_ts (every page reads the
# latest data) and 2.3's reduce (shards, reduce_stop_for_best pages longer or shorter than the limit),
# VarChar keys with U+0000, the row keyed INT64_MAX that 2.3 never returns (the export fails, exit 6), and
# auto-ID keys that 2.3 cannot keep and fields newer than 2.3 (the import stops, exit 8).
. "$MVS_TOP/tests/lib.sh"
need_node

fake_start S --version v2.3.5-lite
fake_start D --version v2.3.5-lite

sdk seed --uri "$S_URI" --scenario varchar-pk --rows 300 --expect "$T/vk.expect" >/dev/null
mvs-export --uri "$S_URI" --collection varchar_pk --batch-size 7 -q |
	mvs-import --uri "$D_URI" --create-index --load -q || fail "varchar_pk: export | import failed"
sdk dump --uri "$D_URI" --collection varchar_pk --out "$T/vk.dump"
sdk compare "$T/vk.expect" "$T/vk.dump" --ignore-schema-keys indexes || fail "varchar_pk differs after the copy"
note "VarChar keys: 300 rows copied in pages of 7 between two 2.3 fakes"

sdk seed --uri "$S_URI" --scenario wide --rows 3000 --dim 8 --expect "$T/wide.expect" >/dev/null
mvs-export --uri "$S_URI" --collection wide --batch-size 100 -q -o "$T/wide.mvs" || fail "wide: export failed"
mvs-import --uri "$D_URI" --create-index --load -q "$T/wide.mvs" || fail "wide: import failed"
sdk dump --uri "$D_URI" --collection wide --out "$T/wide.dump"
sdk compare "$T/wide.expect" "$T/wide.dump" --ignore-schema-keys indexes || fail "wide differs after the copy"
note "3000 rows in pages of 100: equal"

sdk seed --uri "$S_URI" --scenario int64-max >/dev/null
expect_exit 6 mvs-export --uri "$S_URI" --collection int64_max -q -o "$T/max.mvs"
has_line "$T/stderr" "the INT64_MAX row is not named" -F '9223372036854775807 (INT64_MAX), which this server (Milvus v2.3.5-lite) counts but never returns to Query'
[ ! -e "$T/max.mvs" ] || fail "a stream without the INT64_MAX row was left"
mvs-export --uri "$S_URI" --collection int64_max --filter 'id < 9223372036854775807' -q -o "$T/max.mvs" ||
	fail "int64_max without its last key: export failed"
[ "$(mvs-cat "$T/max.mvs" | wc -l)" -eq 19 ] || fail "int64_max without its last key: not 19 rows"
note "INT64_MAX: the export fails (exit 6) and names the row; the other 19 rows export"

sdk seed --uri "$S_URI" --scenario auto-id >/dev/null
mvs-export --uri "$S_URI" --collection auto_id -q -o "$T/auto.mvs"
expect_exit 8 mvs-import --uri "$D_URI" -q "$T/auto.mvs"
has_line "$T/stderr" "keeping auto-ID keys on 2.3 is not refused" -F 'allow_insert_auto_id needs Milvus 2.6'
mvs-import --uri "$D_URI" -q --auto-id new "$T/auto.mvs" || fail "auto_id with --auto-id new failed"
note "auto-ID: keeping the keys is refused on 2.3, --auto-id new imports"

fake_start N	# Milvus 2.6
sdk seed --uri "$N_URI" --scenario all-types --rows 30 >/dev/null
mvs-export --uri "$N_URI" --collection all_types -q -o "$T/all.mvs" || fail "all_types: export from 2.6 failed"
expect_exit 8 mvs-import --uri "$D_URI" -q "$T/all.mvs"
has_line "$T/stderr" "fields newer than 2.3 are not refused" -F 'which Milvus v2.3.5-lite lacks'
[[ "$(sdk call --uri "$D_URI" --method HasCollection --request '{"collection_name":"all_types"}')" != *'"value":true'* ]] ||
	fail "the import created all_types although it stopped"
note "a stream with fields newer than 2.3: the import stops before creating anything (exit 8)"
