/* The status channel (--status-fd N, man/mvs-status.5): one JSON object per line on a file descriptor
 * the caller opened, for programs that run the tools (mvs-migrate, scripts) instead of reading their
 * human messages. It tells the start, each unit's schema summary, partition boundaries, progress,
 * each unit's end with rows, bytes and row digest (mvs_digest.h), and the end with the exit code.
 *
 * The stream writer and reader feed it (mvs_writer_set_status, mvs_reader_set_status), so every tool
 * reports the rows on its stream side; progress comes from mvs_progress (mvs_log.h), which the tools
 * call with their own count (rows written to Milvus, for mvs-import). Every function takes NULL, the
 * channel that is off, and does nothing. */
#ifndef MVS_STATUS_H
#define MVS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvs_digest.h"
#include "mvs_schema.h"

#define MVS_STATUS_VERSION 1

struct mvs_status;

/* Starts the channel on fd (kept open, not closed by mvs_status_end) and writes the start event.
 * digest: what the row digests hold (copied; NULL: every row field and the partition). Returns NULL
 * with a message in err when fd is not open for writing. */
struct mvs_status *mvs_status_open(int fd, const char *tool, const struct mvs_canon_options *digest,
				   char *err, size_t errlen);

/* The unit digest leaves out the primary key from here on (mvs-import --auto-id new: the target makes
 * new keys), and the unit_end event says so. Call before the unit's first row. */
void mvs_status_digest_without_pk(struct mvs_status *s);

/* The stream side: called by the writer and the reader. */
void mvs_status_unit(struct mvs_status *s, const struct mvs_schema *schema);
void mvs_status_partition(struct mvs_status *s, const char *name);
void mvs_status_row(struct mvs_status *s, const unsigned char *row, size_t len);
void mvs_status_unit_end(struct mvs_status *s);

/* Ends the channel: the end event with the exit code (and the last error message, when one was
 * printed), then frees it. */
void mvs_status_end(struct mvs_status *s, int exit_code);

#endif
