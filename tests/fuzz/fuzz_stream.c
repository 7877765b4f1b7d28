/* libFuzzer target for everything that reads stream bytes: the reader (framing, header, partition,
 * trailer and abort decoding, checksums), the value checks (mvs_row_check), the JSON rendering of
 * mvs-cat (headers and rows) and the row rebuilding of mvs-map (every unit is mapped with its
 * fields in reverse order into an output stream, which must read back whole with every row valid
 * when the input rows were). Any input must end in an item or an error: never a crash, a leak, a
 * sanitizer report or a hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mvs_check.h"
#include "mvs_json.h"
#include "mvs_map.h"
#include "mvs_row.h"
#include "mvs_stream.h"

/* A map that reverses the fields the spec can name (all but $meta), for exercising mvs_map_row. */
static int plan_reversed(struct mvs_map *map, const struct mvs_schema *schema)
{
	struct mvs_map_spec spec;
	char err[512];
	int rc = -1;

	mvs_map_spec_init(&spec);
	for (size_t i = schema->n_fields; i-- > 0;) {
		const char *name = schema->fields[i].name;
		if (schema->fields[i].is_dynamic || !name || strchr(name, ','))
			continue;
		if (mvs_map_spec_fields(&spec, name, err, sizeof err))
			goto out;
	}
	if (spec.n_keep)
		rc = mvs_map_init(map, &spec, schema, NULL, NULL, err, sizeof err);
out:
	mvs_map_spec_free(&spec);
	return rc;
}

/* The mapped output must be a complete stream whose rows all pass the value checks. */
static void check_output(int fd)
{
	struct mvs_item item;
	char err[1024];

	if (lseek(fd, 0, SEEK_END) == 0)
		return;	/* nothing was mapped */
	lseek(fd, 0, SEEK_SET);
	struct mvs_reader *r = mvs_reader_new(fd, "mapped");
	if (!r)
		abort();
	while (mvs_reader_next(r, &item) != MVS_ITEM_EOF) {
		if (item.kind == MVS_ITEM_ERROR)
			abort();
		if (item.kind == MVS_ITEM_ROW &&
		    mvs_row_check(item.schema, item.row, item.row_len, err, sizeof err) != 0)
			abort();	/* a valid row must stay valid when its fields are reordered */
	}
	mvs_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mvs_jbuf json = { 0 };
	struct mvs_map map = { 0 };
	struct mvs_item item;
	bool mapped = false, done = false;
	char err[1024];
	int fd = memfd_create("fuzz_stream", MFD_CLOEXEC);
	int out_fd = memfd_create("fuzz_stream_mapped", MFD_CLOEXEC);

	if (fd < 0 || out_fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	struct mvs_reader *r = mvs_reader_new(fd, "fuzz");
	struct mvs_writer *w = mvs_writer_new(out_fd, "fuzz");
	if (!r || !w)
		abort();
	while (!done) {
		mvs_reader_next(r, &item);
		switch (item.kind) {
		case MVS_ITEM_HEADER:
			mvs_jbuf_reset(&json);
			mvs_json_header(&json, item.schema, err, sizeof err);
			if (mapped) {
				mvs_writer_end(w);	/* the previous unit broke off without a trailer */
				mvs_map_free(&map);
			}
			mapped = plan_reversed(&map, item.schema) == 0;
			if (mapped && mvs_writer_begin(w, &map.out) != 0)
				abort();
			break;
		case MVS_ITEM_ROW:
			mvs_jbuf_reset(&json);
			mvs_json_row(&json, item.schema, item.partition, item.row, item.row_len, err,
				     sizeof err);
			if (mvs_row_check(item.schema, item.row, item.row_len, err, sizeof err) == 0 &&
			    mapped && mvs_map_row(&map, item.row, item.row_len, w) != 0)
				abort();	/* a valid row always maps */
			break;
		case MVS_ITEM_TRAILER:
			if (mapped && mvs_writer_end(w) != 0)
				abort();
			if (mapped)
				mvs_map_free(&map);
			mapped = false;
			break;
		case MVS_ITEM_PARTITION:
			break;
		default:
			done = true;
		}
	}
	if (item.kind == MVS_ITEM_ERROR && (!mvs_reader_error(r)[0] || mvs_reader_exit_code(r) == 0))
		abort();	/* every failure says what and why */
	if (mapped) {
		mvs_writer_end(w);
		mvs_map_free(&map);
	}
	mvs_writer_free(w);
	check_output(out_fd);
	mvs_jbuf_free(&json);
	mvs_reader_free(r);
	close(fd);
	close(out_fd);
	return 0;
}
