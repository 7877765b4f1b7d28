#!/usr/bin/env python3
"""real-util.py: what bench/real.sh asks of a real Milvus server between its measured runs, with pymilvus.

  real-util.py drop URI NAME...    drops the collections that exist (the targets of the previous run)
  real-util.py count URI NAME      the collection statistics' row count (after a flush)
"""
import sys

from pymilvus import Collection, connections, utility


def connect(uri):
    host, port = uri.rsplit(':', 1)
    connections.connect('default', host=host, port=port)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ('drop', 'count'):
        sys.exit(__doc__)
    cmd, uri, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    connect(uri)
    if cmd == 'drop':
        for name in names:
            if utility.has_collection(name):
                utility.drop_collection(name)
    else:
        print(Collection(names[0]).num_entities)


if __name__ == '__main__':
    main()
