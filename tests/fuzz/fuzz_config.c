/* libFuzzer target for the migration.yaml reader (lib/migrate/mvs_config.c): any input must give a config or
 * diagnostics, never a crash, a leak or a hang. Seeds: tests/fuzz/corpus/config/. */
#include <stddef.h>
#include <stdint.h>

#include "mvs_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mvs_cfg_diag diag = { 0 };
	struct mvs_cfg *cfg = mvs_cfg_parse("fuzz.yaml", (const char *)data, size, &diag);

	mvs_cfg_free(cfg);
	mvs_cfg_diag_free(&diag);
	return 0;
}
