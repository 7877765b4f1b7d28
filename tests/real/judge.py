#!/usr/bin/env python3
"""The real tier's judge: seeds, reads and compares collections with pymilvus, the official Python client,
so that a client that is not mvs decides whether a copy is exact.

  judge.py seed URI SCENARIO COLLECTION [--db D] [--rows N] [--dim D] [--index] [--load]
  judge.py dump URI COLLECTION OUT [--db D] [--digest] [--schema FILE]
                                                     every row as canonical JSON, ordered by primary key
                                                     (--digest: the key and a SHA-256 of that JSON)
  judge.py schema URI COLLECTION [--db D]            the schema, partitions and indexes as canonical JSON
  judge.py compare A B [--ignore-pk] [--ignore-partitions] [--pk NAME] [--fields F,G] [--rename OLD=NEW,...]
                                                     two dumps (rows, and which partition holds each
                                                     key): exit 0 when equal, 1 with the first
                                                     differences when not
  judge.py count URI COLLECTION [--db D]             count(*)
  judge.py loaded URI COLLECTION [--db D]            the load state: NotExist, NotLoad, Loading or Loaded
  judge.py exists URI COLLECTION [--db D]            yes or no
  judge.py entities URI COLLECTION [--db D]          flush, then the row count of the statistics (no load
                                                     needed; deleted and replaced rows still count)

Canonical values: floats as the hex of their IEEE bits at the field's width (so -0.0, subnormals and
every bit of a float32 count; a float vector as the hex of its little-endian float32 bytes), binary vectors as hex, strings exactly (U+0000 included), JSON parsed.
URI is HOST:PORT; MVS_REAL_USER / MVS_REAL_PASSWORD / MVS_REAL_TOKEN and MVS_REAL_TLS_* set credentials
and TLS when present.
"""
import argparse
import hashlib
import json
import os
import struct
import sys

if sys.argv[1:2] != ['compare']:  # compare only reads dumps: without pymilvus it starts in 0.1 s, not 1-2 s
    import numpy as np

    from pymilvus import (Collection, CollectionSchema, DataType, FieldSchema, Partition, connections, db,
                          utility)

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
PAGE = 16384


def connect(uri, database=None):
    host, port = uri.rsplit(':', 1)
    kwargs = dict(host=host, port=port)
    if os.environ.get('MVS_REAL_USER'):
        kwargs.update(user=os.environ['MVS_REAL_USER'], password=os.environ.get('MVS_REAL_PASSWORD', ''))
    if os.environ.get('MVS_REAL_TOKEN'):
        kwargs.update(token=os.environ['MVS_REAL_TOKEN'])
    if os.environ.get('MVS_REAL_TLS_CA'):
        kwargs.update(secure=True, server_name=os.environ.get('MVS_REAL_TLS_NAME', 'localhost'))
        if os.environ.get('MVS_REAL_TLS_CERT'):
            # pymilvus 2.3.8 sends the client certificate only without server_pem_path (which it
            # prefers): the CA then goes in ca_pem_path
            kwargs.update(client_pem_path=os.environ['MVS_REAL_TLS_CERT'],
                          client_key_path=os.environ['MVS_REAL_TLS_KEY'], ca_pem_path=os.environ['MVS_REAL_TLS_CA'])
        else:
            kwargs.update(server_pem_path=os.environ['MVS_REAL_TLS_CA'])
    connections.connect('default', **kwargs)
    if database:
        if database not in db.list_database():
            db.create_database(database)
        db.using_database(database)


# ---- seeding -------------------------------------------------------------------------------------------

def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


VARCHARS = ['', 'plain', 'é' * 8, '"quoted"', "it's", 'back\\slash', 'tab\tnl\ncr\r', '\x01\x1f\x7f',
            '\x00', '\x00lead', 'trail\x00', 'in\x00side', '\x00\x00\x00', '日本語', '😀 emoji', '\u2028\u2029']
# Milvus 2.3 takes a JSON object or the literal null for a JSON field (it refuses 0, false, "", arrays...)
JSONS = [{'a': 1, 'b': {'c': [1, 2, {'d': 'x'}]}}, {'unicode': 'é日😀', 'nul': 'a\x00b', '': 'empty key'},
         {}, {'n': -0.5, 'big': 9007199254740993, 't': True, 'f': False, 'z': None}, None,
         {'esc': '"\\/\b\f\n\r\t'}]
FLOATS = [0.0, -0.0, 1.0, -1.0, f32(1e-45), f32(1.17549435e-38), f32(3.4028234663852886e38),
          f32(-3.4028234663852886e38), f32(0.1), f32(1 / 3)]
DOUBLES = [0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
           0.1, 1 / 3]


def all_types_schema(dim, binary):
    fields = [
        FieldSchema('id', DataType.INT64, is_primary=True),
        FieldSchema('b', DataType.BOOL),
        FieldSchema('i8', DataType.INT8), FieldSchema('i16', DataType.INT16),
        FieldSchema('i32', DataType.INT32), FieldSchema('i64', DataType.INT64),
        FieldSchema('f', DataType.FLOAT), FieldSchema('d', DataType.DOUBLE),
        FieldSchema('s', DataType.VARCHAR, max_length=16),
        FieldSchema('j', DataType.JSON),
        FieldSchema('a_b', DataType.ARRAY, element_type=DataType.BOOL, max_capacity=4),
        FieldSchema('a_i8', DataType.ARRAY, element_type=DataType.INT8, max_capacity=4),
        FieldSchema('a_i16', DataType.ARRAY, element_type=DataType.INT16, max_capacity=4),
        FieldSchema('a_i32', DataType.ARRAY, element_type=DataType.INT32, max_capacity=4),
        FieldSchema('a_i64', DataType.ARRAY, element_type=DataType.INT64, max_capacity=4),
        FieldSchema('a_f', DataType.ARRAY, element_type=DataType.FLOAT, max_capacity=4),
        FieldSchema('a_d', DataType.ARRAY, element_type=DataType.DOUBLE, max_capacity=4),
        FieldSchema('a_s', DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=4, max_length=8),
        # Milvus 2.3 allows one vector field per collection
        FieldSchema('bv', DataType.BINARY_VECTOR, dim=dim) if binary else FieldSchema('fv', DataType.FLOAT_VECTOR, dim=dim),
    ]
    return CollectionSchema(fields, description='every Milvus 2.3 type', enable_dynamic_field=True)


def all_types_row(i, n, dim, binary):
    """Row i of n: the first rows hold the extremes, the rest cycle through the tricky values."""
    keys = [INT64_MIN, INT64_MAX - 1, 0, -1, 1]  # INT64_MAX: see seed_int64_max
    pk = keys[i] if i < len(keys) else i * 7919 - n * 3000
    ints = lambda bits: [-(1 << (bits - 1)), (1 << (bits - 1)) - 1, 0, -1, 1][i % 5]
    row = {
        'id': pk, 'b': i % 2 == 0, 'i8': ints(8), 'i16': ints(16), 'i32': ints(32), 'i64': ints(64),
        'f': FLOATS[i % len(FLOATS)], 'd': DOUBLES[i % len(DOUBLES)],
        's': VARCHARS[i % len(VARCHARS)], 'j': JSONS[i % len(JSONS)],
        'a_b': [True, False][: i % 3], 'a_i8': [-128, 127, 0][: i % 4], 'a_i16': [-32768, 32767][: i % 3],
        'a_i32': [-(1 << 31), (1 << 31) - 1, 5][: i % 4], 'a_i64': [INT64_MIN, INT64_MAX, 7][: i % 4],
        'a_f': [f32(-0.0), f32(1e-45), f32(0.1)][: i % 4], 'a_d': [-0.0, 5e-324, 0.1][: i % 4],
        'a_s': [VARCHARS[(i + k) % len(VARCHARS)].encode()[:8].decode(errors='ignore') for k in range(i % 4)],
    }
    if binary:
        row['bv'] = bytes([(i * 7 + k) % 256 for k in range(dim // 8)])
    else:
        row['fv'] = [f32(((i * 31 + k * 17) % 1000) / 7.0 - 50) for k in range(dim)]
    if row['j'] is None:
        return row  # goes in by column, where pymilvus takes no dynamic keys
    if i % 3 == 0:
        row['dyn_str'] = VARCHARS[i % len(VARCHARS)]
    if i % 4 == 1:
        row['dyn_obj'] = {'k': [i, None, 'x']}
    return row


def seed_all_types(name, rows, dim, binary=False):
    c = Collection(name, all_types_schema(dim, binary))
    parts = [Partition(c, 'p_one'), Partition(c, 'p_two')] if rows > 2 else []
    targets = ['_default'] + [p.name for p in parts]
    batch = {t: [] for t in targets}
    for i in range(rows):
        batch[targets[i % len(targets)]].append(all_types_row(i, rows, dim, binary))
    names = [f.name for f in c.schema.fields]
    for t, rs in batch.items():
        # pymilvus's row inserts refuse a None value (the JSON literal null): such rows go in by column
        by_row = [r for r in rs if r['j'] is not None]
        by_column = [r for r in rs if r['j'] is None]
        for k in range(0, len(by_row), 1000):
            c.insert(by_row[k:k + 1000], partition_name=t)
        if by_column:
            c.insert([[r[n] for r in by_column] for n in names], partition_name=t)
    return c


def seed_vectors(name, rows, dim):
    """The size scenario: Int64 key, a VarChar, a float vector of dim `dim`, inserted in batches."""
    fields = [FieldSchema('id', DataType.INT64, is_primary=True),
              FieldSchema('title', DataType.VARCHAR, max_length=64),
              FieldSchema('vec', DataType.FLOAT_VECTOR, dim=dim)]
    c = Collection(name, CollectionSchema(fields))
    rng = np.random.default_rng(7)
    step = max(1, min(20000, (16 << 20) // (dim * 4 + 64)))
    for start in range(0, rows, step):
        count = min(step, rows - start)
        ids = list(range(start * 3 - rows, (start + count) * 3 - rows, 3))
        c.insert([ids, [f'title {k}' for k in ids], rng.random((count, dim), dtype=np.float32)])
    return c


def seed_partition_key(name, rows, dim):
    fields = [FieldSchema('key', DataType.VARCHAR, is_primary=True, max_length=32),
              FieldSchema('tenant', DataType.INT64, is_partition_key=True),
              FieldSchema('vec', DataType.FLOAT_VECTOR, dim=dim)]
    c = Collection(name, CollectionSchema(fields), num_partitions=8, shards_num=2, consistency_level='Strong')
    c.insert([[f'k{i:05d}\x00' if i % 5 == 0 else f'k{i:05d}' for i in range(rows)],
              [i % 13 for i in range(rows)], [[f32(i + k / 8) for k in range(dim)] for i in range(rows)]])
    return c


def seed_auto_id(name, rows, dim):
    fields = [FieldSchema('pk', DataType.INT64, is_primary=True, auto_id=True),
              FieldSchema('n', DataType.INT32), FieldSchema('vec', DataType.FLOAT_VECTOR, dim=dim)]
    c = Collection(name, CollectionSchema(fields, auto_id=True), consistency_level='Bounded')
    c.insert([[i for i in range(rows)], [[f32(i / 3 + k) for k in range(dim)] for i in range(rows)]])
    return c


def seed_long_elements(name, rows, dim):
    """Array VarChar elements longer than their max_length: pymilvus 2.3 leaves ArrayArray.element_type
    unset, and Milvus 2.3 then does not check the elements' length (it does when the type is set)."""
    fields = [FieldSchema('id', DataType.INT64, is_primary=True),
              FieldSchema('tags', DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=2, max_length=4),
              FieldSchema('vec', DataType.FLOAT_VECTOR, dim=dim)]
    c = Collection(name, CollectionSchema(fields))
    c.insert([list(range(rows)), [['ok', 'longer than four'] for _ in range(rows)], [[0.5] * dim] * rows])
    return c


def seed_int64_max(name, rows, dim):
    """The vectors scenario plus a row whose key is INT64_MAX, which Milvus 2.3 counts but never returns
    to Query."""
    c = seed_vectors(name, rows, dim)
    c.insert([[INT64_MAX], ['the largest key'], [[0.5] * dim]])
    return c


def seed_paths(name, rows, dim, varchar_key=False):
    """The pipelines scenario (real_paths, real_migrate, real_resume): a key (Int64 of both signs and every
    remainder mod 4, or a VarChar with quotes, backslashes and multi-byte characters), a VarChar, an Int32
    to filter on, JSON (null included), the dynamic field and a float vector, in _default and two named
    partitions, with 3 shards and Session consistency (not the defaults). No U+0000."""
    key = (FieldSchema('id', DataType.VARCHAR, is_primary=True, max_length=24) if varchar_key
           else FieldSchema('id', DataType.INT64, is_primary=True))
    fields = [key, FieldSchema('title', DataType.VARCHAR, max_length=64), FieldSchema('year', DataType.INT32),
              FieldSchema('meta', DataType.JSON), FieldSchema('vec', DataType.FLOAT_VECTOR, dim=dim)]
    c = Collection(name, CollectionSchema(fields, description='pipelines', enable_dynamic_field=True),
                   shards_num=3, consistency_level='Session')
    targets = ['_default', 'p_one', 'p_two']
    for t in targets[1:]:
        Partition(c, t)
    texts = ['plain', '\u00e9\u65e5\U0001f600', '"quoted"', "it's", 'back\\slash', 'tab\tnl\n']
    prefixes = ['a', 'B', '\u00e9', '"', '\\', 'z ', '\u65e5', "'"]
    vecs = np.random.default_rng(11).random((rows, dim), dtype=np.float32)

    def row(i):
        r = {'id': f'{prefixes[i % len(prefixes)]}{i * 7919 % 1000003:07d}' if varchar_key else i * 7919 - rows * 3000,
             'title': f'{texts[i % len(texts)]} {i}', 'year': 2000 + i % 25,
             'meta': None if i % 7 == 3 else {'i': i, 'tag': texts[i % 6], 'nested': {'x': [i, i / 4]}},
             'vec': vecs[i]}
        if i % 10 == 0 and r['meta'] is not None:  # the dynamic field: by row (pymilvus takes it only so)
            r['vec'] = vecs[i].tolist()
            r['dyn'] = {'n': i, 's': texts[i % 6]} if i % 20 == 0 else texts[i % 6]
        return r

    names = [f.name for f in fields]
    for t_index, t in enumerate(targets):
        rs = [row(i) for i in range(t_index, rows, len(targets))]
        by_row = [r for r in rs if len(r) > len(names)]
        by_column = [r for r in rs if len(r) == len(names)]
        for k in range(0, len(by_row), 5000):
            c.insert(by_row[k:k + 5000], partition_name=t)
        for k in range(0, len(by_column), 20000):
            part = by_column[k:k + 20000]
            c.insert([[r[n] for r in part] for n in names[:-1]] + [np.array([r['vec'] for r in part])],
                     partition_name=t)
    return c


def seed_auto_id_off(name, rows, dim):
    """The auto-id scenario's fields with a primary key that is not auto-ID: keys 0..rows-1 (--rows 0 for an
    empty collection that takes an auto-ID stream's keys)."""
    fields = [FieldSchema('pk', DataType.INT64, is_primary=True),
              FieldSchema('n', DataType.INT32), FieldSchema('vec', DataType.FLOAT_VECTOR, dim=dim)]
    c = Collection(name, CollectionSchema(fields), consistency_level='Bounded')
    if rows:
        c.insert([list(range(rows)), list(range(rows)), [[f32(i / 3 + k) for k in range(dim)] for i in range(rows)]])
    return c


SCENARIOS = {'int64-max': seed_int64_max, 'long-elements': seed_long_elements, 'all-types': seed_all_types,
             'all-types-binary': lambda name, rows, dim: seed_all_types(name, rows, dim, binary=True), 'vectors': seed_vectors, 'partition-key': seed_partition_key,
             'auto-id': seed_auto_id, 'paths': seed_paths,
             'paths-varchar': lambda name, rows, dim: seed_paths(name, rows, dim, varchar_key=True),
             'auto-id-off': seed_auto_id_off}


def index_params(dtype):
    if dtype == DataType.BINARY_VECTOR:
        return {'index_type': 'BIN_FLAT', 'metric_type': 'HAMMING', 'params': {}}
    return {'index_type': 'HNSW', 'metric_type': 'L2', 'params': {'M': 8, 'efConstruction': 64}}


def cmd_seed(a):
    connect(a.uri, a.db)
    if utility.has_collection(a.collection):
        utility.drop_collection(a.collection)
    c = SCENARIOS[a.scenario](a.collection, a.rows, a.dim)
    c.flush()
    if a.index or a.load:
        for f in c.schema.fields:
            if f.dtype in (DataType.FLOAT_VECTOR, DataType.BINARY_VECTOR):
                c.create_index(f.name, index_params(f.dtype))
    if a.load:
        c.load()
    print(c.num_entities)


# ---- reading -------------------------------------------------------------------------------------------

def canon(value, dtype, elem=None):
    if value is None:
        return None
    if dtype == DataType.FLOAT:
        return 'f32:' + struct.pack('>f', value).hex()
    if dtype == DataType.DOUBLE:
        return 'f64:' + struct.pack('>d', value).hex()
    if dtype == DataType.FLOAT_VECTOR:
        return 'f32le:' + np.asarray(value, dtype='<f4').tobytes().hex()
    if dtype == DataType.BINARY_VECTOR:
        return (value[0] if isinstance(value, list) else value).hex()
    if dtype == DataType.ARRAY:
        return [canon(x, elem) for x in value]
    if dtype == DataType.JSON and isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def pk_literal(value):
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=True)  # Milvus reads \uXXXX and the usual escapes


def read_rows(c, output=('*',), partition=None):
    """Every row (of one partition), by primary-key paging (the rows of a page come ordered by key)."""
    schema = {f.name: f for f in c.schema.fields}
    pk = next(f for f in c.schema.fields if f.is_primary)
    out, last = [], None
    while True:
        if last is None:
            expr = ''
        elif isinstance(last, int) and last == INT64_MIN:
            expr = f'{pk.name} >= {INT64_MIN + 1}'
        else:
            expr = f'{pk.name} > {pk_literal(last)}'
        page = c.query(expr, output_fields=list(output), limit=PAGE, consistency_level='Strong',
                       partition_names=[partition] if partition else None)
        if not page:
            return out
        page.sort(key=lambda r: r[pk.name])
        for r in page:
            row = {}
            for k, v in r.items():
                f = schema.get(k)
                row[k] = canon(v, f.dtype, getattr(f, 'element_type', None)) if f else v
            out.append(row)
        last = page[-1][pk.name]
        if len(page) < PAGE:
            return out


def cmd_dump(a):
    connect(a.uri, a.db)
    c = Collection(a.collection)
    if a.schema:  # what `schema` prints, from the same process
        with open(a.schema, 'w', encoding='utf-8') as f:
            f.write(schema_text(c) + '\n')
    c.load()
    pk = next(f for f in c.schema.fields if f.is_primary).name
    with open(a.out, 'w', encoding='utf-8') as f:
        for row in read_rows(c):
            text = json.dumps(row, sort_keys=True, ensure_ascii=True)
            if a.digest:  # the key and a SHA-256 of the canonical row: big collections, small dumps
                text = json.dumps({pk: row[pk], 'sha256': hashlib.sha256(text.encode()).hexdigest()})
            f.write(text + '\n')
    with open(a.out + '.partitions', 'w', encoding='utf-8') as f:
        if any(getattr(fs, 'is_partition_key', False) for fs in c.schema.fields):
            return  # Milvus routes rows by the partition key; Query takes no partition names then
        for p in c.partitions:
            for r in read_rows(c, [pk], p.name):
                f.write(json.dumps([r[pk], p.name], ensure_ascii=True) + '\n')


def schema_text(c):
    d = c.describe()
    fields = []
    for f in d['fields']:
        f = dict(f)
        f.pop('field_id', None)
        f['type'] = str(f['type'])
        if 'element_type' in f:
            f['element_type'] = str(f['element_type'])
        fields.append(f)
    indexes = sorted((i.field_name, i.params.get('index_type'), i.params.get('metric_type'),
                      json.dumps(i.params.get('params', {}), sort_keys=True)) for i in c.indexes)
    return json.dumps({'fields': fields, 'auto_id': d['auto_id'], 'num_shards': d['num_shards'],
                       'description': d['description'], 'consistency_level': d['consistency_level'],
                       'enable_dynamic_field': d['enable_dynamic_field'],
                       'partitions': sorted(p.name for p in c.partitions), 'indexes': indexes},
                      sort_keys=True, indent=1)


def cmd_schema(a):
    connect(a.uri, a.db)
    print(schema_text(Collection(a.collection)))


def cmd_count(a):
    connect(a.uri, a.db)
    c = Collection(a.collection)
    print(c.query('', output_fields=['count(*)'], consistency_level='Strong')[0]['count(*)'])


def cmd_loaded(a):
    connect(a.uri, a.db)
    print(utility.load_state(a.collection).name)  # NotExist, NotLoad, Loading or Loaded


def cmd_entities(a):
    connect(a.uri, a.db)
    c = Collection(a.collection)
    c.flush()
    print(c.num_entities)


def cmd_exists(a):
    connect(a.uri, a.db)
    print('yes' if utility.has_collection(a.collection) else 'no')


def load_dump(path, fields, rename, ignore_pk, pk):
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            r = json.loads(line)
            r = {rename.get(k, k): v for k, v in r.items()}
            if fields:
                r = {k: v for k, v in r.items() if k in fields}
            if ignore_pk:
                r.pop(pk, None)
            rows.append(r)
    if ignore_pk:
        rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
    return rows


def cmd_compare(a):
    rename = dict(x.split('=', 1) for x in a.rename.split(',')) if a.rename else {}
    fields = set(a.fields.split(',')) if a.fields else None
    left = load_dump(a.a, fields, rename, a.ignore_pk, a.pk)
    right = load_dump(a.b, fields, None or {}, a.ignore_pk, a.pk)
    shown = 0
    if len(left) != len(right):
        print(f'row counts differ: {len(left)} vs {len(right)}')
        shown += 1
    for i, (x, y) in enumerate(zip(left, right)):
        if x != y and shown < 5:
            keys = sorted(k for k in set(x) | set(y) if x.get(k, '<missing>') != y.get(k, '<missing>'))
            print(f'row {i} ({a.pk}={x.get(a.pk)!r}): ' +
                  '; '.join(f'{k}: {x.get(k, "<missing>")!r} vs {y.get(k, "<missing>")!r}' for k in keys))
            shown += 1
    if not (a.ignore_pk or a.ignore_partitions):
        with open(a.a + '.partitions', encoding='utf-8') as f, open(a.b + '.partitions', encoding='utf-8') as g:
            pa, pb = sorted(f), sorted(g)
        if pa != pb:
            diff = sorted(set(pa) ^ set(pb))[:5]
            print(f'partitions differ ({len(pa)} vs {len(pb)} keys): ' + ' '.join(d.strip() for d in diff))
            shown += 1
    if shown:
        sys.exit(1)
    print(f'{len(left)} rows equal')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('seed')
    s.add_argument('uri'); s.add_argument('scenario', choices=sorted(SCENARIOS)); s.add_argument('collection')
    s.add_argument('--db'); s.add_argument('--rows', type=int, default=60); s.add_argument('--dim', type=int, default=8)
    s.add_argument('--index', action='store_true'); s.add_argument('--load', action='store_true')
    s.set_defaults(run=cmd_seed)
    s = sub.add_parser('dump')
    s.add_argument('uri'); s.add_argument('collection'); s.add_argument('out'); s.add_argument('--db')
    s.add_argument('--digest', action='store_true'); s.add_argument('--schema')
    s.set_defaults(run=cmd_dump)
    s = sub.add_parser('schema')
    s.add_argument('uri'); s.add_argument('collection'); s.add_argument('--db')
    s.set_defaults(run=cmd_schema)
    s = sub.add_parser('count')
    s.add_argument('uri'); s.add_argument('collection'); s.add_argument('--db')
    s.set_defaults(run=cmd_count)
    for name, run in (('loaded', cmd_loaded), ('exists', cmd_exists), ('entities', cmd_entities)):
        s = sub.add_parser(name)
        s.add_argument('uri'); s.add_argument('collection'); s.add_argument('--db')
        s.set_defaults(run=run)
    s = sub.add_parser('compare')
    s.add_argument('a'); s.add_argument('b'); s.add_argument('--ignore-pk', action='store_true')
    s.add_argument('--ignore-partitions', action='store_true')
    s.add_argument('--pk', default='id'); s.add_argument('--fields'); s.add_argument('--rename')
    s.set_defaults(run=cmd_compare)
    a = p.parse_args()
    a.run(a)


if __name__ == '__main__':
    main()
