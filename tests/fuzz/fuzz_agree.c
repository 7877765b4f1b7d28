/* Differential fuzz target of the value check (issue 14): each input is one encoded row for a schema
 * with every type; mvs_row_check (mvs-cat --verify, mvs-map) and mvs_batch_add_row (mvs-import, with
 * and without the primary key dropped for auto-ID) must give the same accept/refuse answer, or the
 * target aborts. tests/unit/test_validator_agree.c is its deterministic twin that runs in make check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mvs_check.h"
#include "mvs_batch.h"
#include "mvs_row.h"
#include "mvs_schema.h"
#include "mvs_types.h"

#define F(n, t) .name = n, .type = t

static struct mvs_field fields[] = {
	{F("id", MVS_T_INT64), .primary_key = true},
	{F("b", MVS_T_BOOL)},
	{F("i8", MVS_T_INT8), .nullable = true},
	{F("i16", MVS_T_INT16)},
	{F("f", MVS_T_FLOAT)},
	{F("d", MVS_T_DOUBLE), .nullable = true},
	{F("s", MVS_T_VARCHAR), .max_length = 6},
	{F("j", MVS_T_JSON), .nullable = true},
	{F("t", MVS_T_TEXT), .max_length = 8},
	{F("ai", MVS_T_ARRAY), .element_type = MVS_T_INT16, .nullable = true, .max_capacity = 3},
	{F("as", MVS_T_ARRAY), .element_type = MVS_T_VARCHAR, .max_capacity = 3, .max_length = 4},
	{F("fv", MVS_T_FLOAT_VECTOR), .dim = 2},
	{F("bv", MVS_T_BINARY_VECTOR), .dim = 16},
	{F("sv", MVS_T_SPARSE_FLOAT_VECTOR), .nullable = true},
	{F("$meta", MVS_T_JSON), .is_dynamic = true},
};

static struct mvs_schema schema = {
	.name = "agree",
	.enable_dynamic_field = true,
	.fields = fields,
	.n_fields = sizeof fields / sizeof fields[0],
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mvs_batch *plain, *autoid;
	static const char *drop[] = { "id" };
	static const struct mvs_batch_options opt = { drop, 1 };
	char e1[512], e2[512], e3[512];

	if (!plain) {
		plain = mvs_batch_new(&schema, NULL);
		autoid = mvs_batch_new(&schema, &opt);
		if (!plain || !autoid)
			abort();
	}
	int a = mvs_row_check(&schema, data, size, e1, sizeof e1) == 0;
	int b = mvs_batch_add_row(plain, data, size, e2, sizeof e2) == 0;
	int c = mvs_batch_add_row(autoid, data, size, e3, sizeof e3) == 0;
	if (a != b || a != c) {
		fprintf(stderr, "disagreement: check %s (%s), batch %s (%s), auto-ID batch %s (%s)\n",
			a ? "accepts" : "refuses", a ? "" : e1, b ? "accepts" : "refuses", b ? "" : e2,
			c ? "accepts" : "refuses", c ? "" : e3);
		abort();
	}
	mvs_batch_reset(plain);
	mvs_batch_reset(autoid);
	return 0;
}
