#!/usr/bin/env python3
"""pymilvus-copy.py: the baseline of the real-server benchmark (bench/real.sh). Copies one collection
from a source Milvus to a target Milvus with pymilvus the way a user would write it without mvs:
describe the source, create the same collection on the target, read every row with
Collection.query_iterator and insert each page, then flush the target and check its row count (what
mvs-import does at the end of a unit: Flush, wait until persisted, compare the collection statistics).

  pymilvus-copy.py --src HOST:PORT --dst HOST:PORT --collection C [--target C2] [--batch N]

--batch: rows per page (default: the page mvs-export reads, at most 8192 rows and about 8 MiB).
Prints one JSON line on stdout: rows, and the seconds of its phases measured inside the script
(connect: connections and describe; create; copy: iterator and inserts; flush: flush and wait;
total: from just after the imports to the end).
"""
import argparse
import json
import sys
import time

T_IMPORT = time.monotonic()
from pymilvus import Collection, DataType, connections  # noqa: E402

T0 = time.monotonic()


def page_rows(schema):
    """The page mvs-export reads: half its 16 MiB reply bound over the widest possible row, at most 8192."""
    width = 0.0
    for f in schema.fields:
        if f.dtype == DataType.FLOAT_VECTOR:
            width += f.params['dim'] * 4 + 4
        elif f.dtype == DataType.BINARY_VECTOR:
            width += f.params['dim'] // 8 + 4
        elif f.dtype == DataType.VARCHAR:
            width += f.params.get('max_length', 65535) + 4
        else:
            width += 11
    return max(1, min(8192, int((8 << 20) / width)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--src', required=True)
    p.add_argument('--dst', required=True)
    p.add_argument('--collection', required=True)
    p.add_argument('--target')
    p.add_argument('--batch', type=int)
    a = p.parse_args()
    target = a.target or a.collection

    for alias, uri in (('src', a.src), ('dst', a.dst)):
        host, port = uri.rsplit(':', 1)
        connections.connect(alias, host=host, port=port)
    src = Collection(a.collection, using='src')
    schema = src.schema
    t1 = time.monotonic()
    dst = Collection(target, schema=schema, using='dst', shards_num=src.num_shards)
    t2 = time.monotonic()

    rows = 0
    it = src.query_iterator(batch_size=a.batch or page_rows(schema),
                            output_fields=[f.name for f in schema.fields])
    while True:
        page = it.next()
        if not page:
            it.close()
            break
        res = dst.insert(page)
        if res.insert_count != len(page):
            sys.exit(f'pymilvus-copy.py: Insert accepted {res.insert_count} of {len(page)} rows')
        rows += len(page)
    t3 = time.monotonic()

    dst.flush()
    t4 = time.monotonic()
    if dst.num_entities != rows:
        sys.exit(f'pymilvus-copy.py: the target holds {dst.num_entities} rows after the flush, {rows} were inserted')
    t5 = time.monotonic()
    print(json.dumps({'rows': rows, 'import_s': round(T0 - T_IMPORT, 3), 'connect_s': round(t1 - T0, 3),
                      'create_s': round(t2 - t1, 3), 'copy_s': round(t3 - t2, 3), 'flush_s': round(t4 - t3, 3),
                      'count_s': round(t5 - t4, 3), 'total_s': round(t5 - T0, 3)}))


if __name__ == '__main__':
    main()
