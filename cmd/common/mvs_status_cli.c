/* --status-fd N (see mvs_status_cli.h). */
#include "mvs_status_cli.h"

#include "mvs_cli.h"

struct mvs_status *mvs_status_cli_open(const char *value, const struct mvs_canon_options *digest)
{
	int fd = (int)mvs_parse_count("--status-fd", value, 2, 1 << 20);
	char err[256];
	struct mvs_status *s = mvs_status_open(fd, mvs_log_tool(), digest, err, sizeof err);

	if (!s)
		mvs_usage_error("%s", err);
	return s;
}
