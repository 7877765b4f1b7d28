/* --status-fd N on the command line of the stream tools: the status channel (lib/stream/mvs_status.h,
 * man/mvs-status.5) on a descriptor the caller opened. Kept apart from mvs_cli.c so that mvs-migrate,
 * which does not link the stream library, can share the rest. */
#ifndef MVS_STATUS_CLI_H
#define MVS_STATUS_CLI_H

#include "mvs_status.h"

/* Opens the channel on the descriptor value names: a usage error when it is not a number, is 0 or 1
 * (the data), or is not open for writing. digest: what its row digests hold (borrowed), or NULL. */
struct mvs_status *mvs_status_cli_open(const char *value, const struct mvs_canon_options *digest);

#endif
