#!/usr/bin/env python3
"""flush-probe.py: how long a real Milvus takes to persist a flushed collection, measured finely.

  flush-probe.py URI ROWS DIM RUNS

For each run: a new collection (Int64 key, FloatVector of DIM) gets ROWS rows (inserts of 8192 rows),
then Flush; GetFlushState is polled every 20 ms until it says flushed. Prints the time from the Flush
request to the first "flushed" answer, and what a client polling every 0.5 s (mvs-import and pymilvus
both do) would have seen: the first multiple of 0.5 s at or after it. The collection is dropped after
each run. An investigation aid for the real benchmark (BENCHMARKS.md, "Findings and fixes").
"""
import math
import sys
import time

import numpy as np
from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, connections, utility
from pymilvus.client.prepare import Prepare


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    uri, rows, dim, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    host, port = uri.rsplit(':', 1)
    connections.connect('default', host=host, port=port)
    handler = connections._fetch_handler('default')
    rng = np.random.default_rng(1)
    for r in range(runs):
        name = f'flush_probe_{r}'
        if utility.has_collection(name):
            utility.drop_collection(name)
        c = Collection(name, CollectionSchema([FieldSchema('id', DataType.INT64, is_primary=True),
                                               FieldSchema('v', DataType.FLOAT_VECTOR, dim=dim)]))
        for start in range(0, rows, 8192):
            k = min(8192, rows - start)
            c.insert([list(range(start, start + k)), rng.random((k, dim), dtype=np.float32)])
        t0 = time.monotonic()
        resp = handler._stub.Flush(Prepare.flush_param([name]))
        segments, flush_ts = resp.coll_segIDs[name].data, resp.coll_flush_ts[name]
        while not handler.get_flush_state(segments, name, flush_ts):
            time.sleep(0.02)
        took = time.monotonic() - t0
        print(f'{rows} rows, dim {dim}: flushed after {took:.3f} s; polling every 0.5 s: '
              f'{math.ceil(took / 0.5) * 0.5:.1f} s', flush=True)
        utility.drop_collection(name)
        time.sleep(3)


if __name__ == '__main__':
    main()
