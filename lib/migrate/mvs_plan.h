/* The plan of mvs-migrate: one collection of a config (struct mvs_cfg) as the three command lines of
 * `mvs-export | mvs-map | mvs-import`, with the secrets each stage gets through its environment, and
 * the same as a shell command line for --dry-run. Pure: it starts nothing (mvs_runner.h does). */
#ifndef MVS_PLAN_H
#define MVS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_config.h"
#include "mvs_runner.h"

enum { MVS_STAGE_EXPORT, MVS_STAGE_MAP, MVS_STAGE_IMPORT, MVS_STAGES };

/* One collection's pipeline. The argv arrays are the plan's own (mvs_plan_free); the other strings,
 * secrets included, point into the config, which must outlive the plan. */
struct mvs_plan {
	struct mvs_stage stage[MVS_STAGES];
	const char *source;		/* source collection */
	const char *target;		/* target collection */
};

/* Builds the pipeline of collection i of cfg. bindir: where the tools are; NULL = bare names (for
 * printing). Returns 0, or -1 when out of memory (nothing to free then). */
int mvs_plan_build(const struct mvs_cfg *cfg, size_t i, const char *bindir, struct mvs_plan *plan);
/* The same for shard `shard` of `shards` (shards > 1): mvs-export and mvs-import get --shard. */
int mvs_plan_build_shard(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards,
			 const char *bindir, struct mvs_plan *plan);
/* The check of a copied collection (mvs-migrate --verify) for shard `shard` of `shards` (1: all rows):
 * stage[0] is mvs-export of the target (--load), stage[1] `mvs-cat --verify -q`, whose status channel
 * gives the row digest of fields (comma-separated, in order, as mvs-import's status listed them;
 * without the primary key when without_pk); stage[2] is not used. */
int mvs_plan_build_check(const struct mvs_cfg *cfg, size_t i, uint32_t shard, uint32_t shards,
			 const char *fields, bool without_pk, const char *bindir, struct mvs_plan *plan);
/* Where a copy differs from its source: src is the whole collection's mvs-export | mvs-map with
 * `mvs-diff --max 10 --fields FIELDS [--ignore-pk] - FIFO` as stage[2]; dst's stage[0] is mvs-export of
 * the target writing into fifo (its output), and its other stages are not used. */
int mvs_plan_build_diff(const struct mvs_cfg *cfg, size_t i, const char *fields, bool without_pk,
			const char *fifo, const char *bindir, struct mvs_plan *src, struct mvs_plan *dst);
void mvs_plan_free(struct mvs_plan *plan);
/* The equivalent shell command line, secrets as $VARS, every word quoted as needed. malloc'd, or NULL
 * when out of memory. */
char *mvs_plan_shell(const struct mvs_plan *plan);

/* The tools' directory: $MVS_BIN when set, else the directory of this executable. malloc'd or NULL. */
char *mvs_plan_bindir(void);

#endif
