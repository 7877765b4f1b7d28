#!/usr/bin/env python3
"""Asks a real Milvus 2.3 server and tests/fake-milvus (started with --version v2.3.5-lite) the same
questions over gRPC (pymilvus's generated stubs, so requests are byte-for-byte what a client sends) and
fails on any disagreement in what the mvs tests rely on: status code, legacy error_code and the meaningful
part of the reason, and the data of the answers.

  real_fake_agree.py REAL_URI FAKE_URI [--only WORD] [--verbose]
  real_fake_agree.py --seed-duplicates COLLECTION URI...   a loaded two-shard collection whose keys repeat
  real_fake_agree.py --drop URI...                         drops the collections named agree_*

Every question is a function of one server's stub returning a comparable answer; the same function runs
against both servers, in the same order, on collections of the same names (prefix agree_) with the same
rows. Reasons are compared after normalization: collection IDs and timestamps become <id>/<ts>, and for
expression syntax errors (ANTLR's wording on the real server) only the part before "error:" counts.
Behaviour the fake does not imitate (README.md, the table) is not asked. Exit 0 when all agree, 1 with
the disagreements listed.
"""
import argparse
import re
import struct
import sys
import time

import grpc
from google.protobuf import json_format, unknown_fields
from pymilvus.grpc_gen import common_pb2 as C
from pymilvus.grpc_gen import milvus_pb2 as M
from pymilvus.grpc_gen import milvus_pb2_grpc as G
from pymilvus.grpc_gen import schema_pb2 as S

I64, VC, FV, BV, JS, AR = 5, 21, 101, 100, 23, 22
BOOL, I8, I16, I32, FLT, DBL = 1, 2, 3, 4, 10, 11
INT64_MAX, INT64_MIN = (1 << 63) - 1, -(1 << 63)
P = 'agree_'


# ---- requests ------------------------------------------------------------------------------------------

def field(name, dtype, pk=False, auto=False, elem=None, pkey=False, **params):
    f = S.FieldSchema(name=name, data_type=dtype, is_primary_key=pk, autoID=auto, is_partition_key=pkey)
    if elem is not None:
        f.element_type = elem
    for k, v in params.items():
        f.type_params.add(key=k, value=str(v))
    return f


def schema(name, fields, dynamic=False, auto=False, description=''):
    return S.CollectionSchema(name=name, fields=fields, enable_dynamic_field=dynamic, autoID=auto,
                              description=description).SerializeToString()


def kvs(d):
    return [C.KeyValuePair(key=k, value=str(v)) for k, v in d.items()]


def fd_i64(name, vals):
    return S.FieldData(field_name=name, type=I64, scalars=S.ScalarField(long_data=S.LongArray(data=vals)))


def fd_int(name, vals, dtype=I32):
    return S.FieldData(field_name=name, type=dtype, scalars=S.ScalarField(int_data=S.IntArray(data=vals)))


def fd_bool(name, vals):
    return S.FieldData(field_name=name, type=BOOL, scalars=S.ScalarField(bool_data=S.BoolArray(data=vals)))


def fd_float(name, vals):
    return S.FieldData(field_name=name, type=FLT, scalars=S.ScalarField(float_data=S.FloatArray(data=vals)))


def fd_double(name, vals):
    return S.FieldData(field_name=name, type=DBL, scalars=S.ScalarField(double_data=S.DoubleArray(data=vals)))


def fd_str(name, vals):
    return S.FieldData(field_name=name, type=VC, scalars=S.ScalarField(string_data=S.StringArray(data=vals)))


def fd_json(name, vals, dynamic=False):
    return S.FieldData(field_name=name, type=JS, is_dynamic=dynamic,
                       scalars=S.ScalarField(json_data=S.JSONArray(data=vals)))


def fd_arr_str(name, rows, elem=VC):
    return S.FieldData(field_name=name, type=AR, scalars=S.ScalarField(array_data=S.ArrayArray(
        element_type=elem, data=[S.ScalarField(string_data=S.StringArray(data=r)) for r in rows])))


def fd_arr_i64(name, rows):
    return S.FieldData(field_name=name, type=AR, scalars=S.ScalarField(array_data=S.ArrayArray(
        element_type=I64, data=[S.ScalarField(long_data=S.LongArray(data=r)) for r in rows])))


def fd_fv(name, rows, dim):
    return S.FieldData(field_name=name, type=FV,
                       vectors=S.VectorField(dim=dim, float_vector=S.FloatArray(data=[x for r in rows for x in r])))


def fd_bv(name, data, dim):
    return S.FieldData(field_name=name, type=BV, vectors=S.VectorField(dim=dim, binary_vector=data))


FLAT = kvs({'index_type': 'FLAT', 'metric_type': 'L2', 'params': '{}'})
BIN_FLAT = kvs({'index_type': 'BIN_FLAT', 'metric_type': 'HAMMING', 'params': '{}'})


# ---- answers -------------------------------------------------------------------------------------------

ID_RE = re.compile(r'\b4\d{17}\b')  # collection IDs and hybrid timestamps (2^18 ms since 1970: 4.7e17)


def status_of(resp):
    s = resp if isinstance(resp, C.Status) else resp.status
    return s


def norm_reason(reason, mode):
    reason = ID_RE.sub('<id>', reason)
    if mode == 'syntax':  # ANTLR's wording: only up to "error:"
        i = reason.find(', error: ')
        return reason[:i + len(', error:')] if i >= 0 else reason
    if mode == 'code':
        return None
    return reason


def status_answer(resp, reason='exact'):
    st = status_of(resp)
    return {'code': st.code, 'legacy': C.ErrorCode.Name(st.error_code), 'reason': norm_reason(st.reason, reason)}


def call(stub, rpc, req, show=None, reason='exact'):
    """The answer to one RPC: {code, legacy, reason} plus show(resp) when the call succeeded (or always
    when show is given and the response has data worth comparing)."""
    try:
        resp = getattr(stub, rpc)(req)
    except grpc.RpcError as e:
        return {'grpc': e.code().name, 'details': e.details()}
    st = status_of(resp)
    out = {'code': st.code, 'legacy': C.ErrorCode.Name(st.error_code), 'reason': norm_reason(st.reason, reason)}
    if show is not None and st.code == 0 and st.error_code == 0:
        out['data'] = show(resp)
    return out


def columns(resp):
    """Query results as {field: values}, and the output_fields as a set (their order follows Go maps)."""
    out = {}
    for f in resp.fields_data:
        sc = f.scalars
        kind = sc.WhichOneof('data') if f.HasField('scalars') else None
        if kind in ('long_data', 'int_data', 'bool_data', 'float_data', 'double_data', 'string_data'):
            out[f.field_name] = list(getattr(sc, kind).data)
        elif kind == 'json_data':
            out[f.field_name] = [b.decode('utf-8', 'replace') for b in sc.json_data.data]
        elif kind == 'array_data':
            out[f.field_name] = [json_format.MessageToDict(a) for a in sc.array_data.data]
        elif f.HasField('vectors'):
            v = f.vectors
            out[f.field_name] = (v.dim, list(v.float_vector.data) if v.HasField('float_vector') else v.binary_vector.hex())
        else:
            out[f.field_name] = None
    out['<output_fields>'] = sorted(resp.output_fields)
    out['<session_ts>'] = [u.field_number for u in unknown_fields.UnknownFieldSet(resp)
                           if u.field_number == 5] and 'set' or 'unset'
    return out


def query(stub, coll, expr, out=None, params=None, reason='exact', **kw):
    req = M.QueryRequest(collection_name=coll, expr=expr, output_fields=out or [],
                         query_params=kvs(params or {}), **kw)
    return call(stub, 'Query', req, columns, reason)


def mutation(resp):
    ids = list(resp.IDs.int_id.data) or list(resp.IDs.str_id.data)
    return {'ids': ids, 'insert_cnt': resp.insert_cnt, 'upsert_cnt': resp.upsert_cnt,
            'delete_cnt': resp.delete_cnt, 'succ_index': list(resp.succ_index)}


def with_err_index(stub, rpc, req, show=mutation, reason='exact'):
    """Insert/Upsert: the answer, plus err_index when it failed (every row, on both)."""
    try:
        resp = getattr(stub, rpc)(req)
    except grpc.RpcError as e:
        return {'grpc': e.code().name, 'details': e.details()}
    out = {'code': resp.status.code, 'legacy': C.ErrorCode.Name(resp.status.error_code),
           'reason': norm_reason(resp.status.reason, reason), 'err_index': list(resp.err_index)}
    if resp.status.code == 0:
        out['data'] = show(resp)
    return out


# ---- the questions -------------------------------------------------------------------------------------

class Asker:
    def __init__(self, stub, name):
        self.s, self.name, self.answers = stub, name, []

    def ask(self, label, answer):
        self.answers.append((label, answer))

    def wait_loaded(self, coll, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.s.GetLoadState(M.GetLoadStateRequest(collection_name=coll)).state == 3:
                return
            time.sleep(0.2)
        raise SystemExit(f'{self.name}: {coll} not loaded after {timeout} s')

    def wait_flushed(self, resp, coll, timeout=120):
        ids = list(resp.coll_segIDs[coll].data)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.s.GetFlushState(M.GetFlushStateRequest(segmentIDs=ids)).flushed:
                return
            time.sleep(0.2)
        raise SystemExit(f'{self.name}: {coll} not flushed after {timeout} s')

    def drop(self, *names):
        for n in names:
            self.s.DropCollection(M.DropCollectionRequest(collection_name=P + n))


def server(a):
    s = a.s
    a.ask('GetVersion', call(s, 'GetVersion', M.GetVersionRequest(), lambda r: r.version))
    a.ask('Connect build_tags', call(s, 'Connect', M.ConnectRequest(), lambda r: r.server_info.build_tags))
    a.ask('CheckHealth', call(s, 'CheckHealth', M.CheckHealthRequest(), lambda r: r.isHealthy))
    try:
        a.ask('Connect to a missing database', status_answer(s.Connect(M.ConnectRequest(), metadata=[('dbname', 'agree_nodb')])))
    except grpc.RpcError as e:
        a.ask('Connect to a missing database', {'grpc': e.code().name, 'details': e.details()})

    def ts_kind(ts):
        now = time.time()
        if abs(ts / 1e9 - now) < 86400 * 365:
            return 'unix ns'
        if abs((ts >> 18) / 1e3 - now) < 86400 * 365:
            return 'hybrid'
        return 'other'
    a.ask('ListDatabases', call(s, 'ListDatabases', M.ListDatabasesRequest(), lambda r: (
        'default' in r.db_names, sorted({ts_kind(t) for t in r.created_timestamp}))))
    a.ask('CreateDatabase default', call(s, 'CreateDatabase', M.CreateDatabaseRequest(db_name='default')))
    a.ask('CreateDatabase 1bad', call(s, 'CreateDatabase', M.CreateDatabaseRequest(db_name='1bad')))
    a.ask('CreateDatabase a-b', call(s, 'CreateDatabase', M.CreateDatabaseRequest(db_name='a-b')))
    a.ask('CreateDatabase empty', call(s, 'CreateDatabase', M.CreateDatabaseRequest(db_name='')))
    a.ask('DropDatabase default', call(s, 'DropDatabase', M.DropDatabaseRequest(db_name='default')))
    a.ask('DropDatabase missing', call(s, 'DropDatabase', M.DropDatabaseRequest(db_name='agree_nodb')))
    s.DropCollection(M.DropCollectionRequest(collection_name=P + 'r', db_name='agree_db'))
    s.DropDatabase(M.DropDatabaseRequest(db_name='agree_db'))
    a.ask('CreateDatabase', call(s, 'CreateDatabase', M.CreateDatabaseRequest(db_name='agree_db')))
    sch = schema(P + 'r', [field('id', I64, pk=True), field('v', FV, dim=2)])
    a.ask('CreateCollection in db', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'r', db_name='agree_db', schema=sch)))
    a.ask('DropDatabase not empty', call(s, 'DropDatabase', M.DropDatabaseRequest(db_name='agree_db')))
    a.ask('ShowCollections in db', call(s, 'ShowCollections', M.ShowCollectionsRequest(db_name='agree_db'),
                                        lambda r: list(r.collection_names)))
    s.DropCollection(M.DropCollectionRequest(collection_name=P + 'r', db_name='agree_db'))
    a.ask('DropDatabase', call(s, 'DropDatabase', M.DropDatabaseRequest(db_name='agree_db')))


def not_found(a):
    s, nope, nodb = a.s, P + 'nope', 'agree_nodb'
    for rpc, req in [
            ('DescribeCollection', M.DescribeCollectionRequest(collection_name=nope)),
            ('DescribeCollection', M.DescribeCollectionRequest(collectionID=12345)),
            ('Query', M.QueryRequest(collection_name=nope, expr='id > 0')),
            ('Insert', M.InsertRequest(collection_name=nope, num_rows=1)),
            ('Upsert', M.UpsertRequest(collection_name=nope, num_rows=1)),
            ('Delete', M.DeleteRequest(collection_name=nope, expr='id > 0')),
            ('LoadCollection', M.LoadCollectionRequest(collection_name=nope)),
            ('ReleaseCollection', M.ReleaseCollectionRequest(collection_name=nope)),
            ('ShowPartitions', M.ShowPartitionsRequest(collection_name=nope)),
            ('CreatePartition', M.CreatePartitionRequest(collection_name=nope, partition_name='p')),
            ('DescribeIndex', M.DescribeIndexRequest(collection_name=nope)),
            ('CreateIndex', M.CreateIndexRequest(collection_name=nope, field_name='v')),
            ('GetCollectionStatistics', M.GetCollectionStatisticsRequest(collection_name=nope)),
            ('Flush', M.FlushRequest(collection_names=[nope])),
            ('DropCollection', M.DropCollectionRequest(collection_name=nope)),
            ('ShowCollections', M.ShowCollectionsRequest(collection_names=[nope], type=1)),
            ('AlterCollection', M.AlterCollectionRequest(collection_name=nope)),
            ('Query', M.QueryRequest(collection_name=nope, expr='id > 0', db_name=nodb)),
            ('Insert', M.InsertRequest(collection_name=nope, num_rows=1, db_name=nodb)),
            ('LoadCollection', M.LoadCollectionRequest(collection_name=nope, db_name=nodb)),
            ('Flush', M.FlushRequest(collection_names=[nope], db_name=nodb)),
            ('DescribeCollection', M.DescribeCollectionRequest(collection_name=nope, db_name=nodb)),
            ('ShowCollections', M.ShowCollectionsRequest(db_name=nodb)),
            ('CreateCollection', M.CreateCollectionRequest(collection_name=nope, db_name=nodb, schema=schema(
                nope, [field('id', I64, pk=True), field('v', FV, dim=2)])))]:
        label = f'{rpc} {req.db_name or "default"}/{getattr(req, "collection_name", "") or getattr(req, "collectionID", "")}'
        if rpc in ('Insert', 'Upsert'):
            a.ask(label, with_err_index(s, rpc, req))
        else:
            a.ask(label, call(s, rpc, req))
    a.ask('AlterCollection with properties', call(s, 'AlterCollection', M.AlterCollectionRequest(
        collection_name=nope, properties=kvs({'collection.ttl.seconds': 5})), reason='code'))
    a.ask('HasCollection', call(s, 'HasCollection', M.HasCollectionRequest(collection_name=nope), lambda r: r.value))
    a.ask('HasCollection no db', call(s, 'HasCollection', M.HasCollectionRequest(collection_name=nope, db_name=nodb),
                                      lambda r: r.value))
    a.ask('GetLoadState', call(s, 'GetLoadState', M.GetLoadStateRequest(collection_name=nope), lambda r: r.state))
    a.ask('GetLoadState no db', call(s, 'GetLoadState', M.GetLoadStateRequest(collection_name=nope, db_name=nodb),
                                     lambda r: r.state))
    a.ask('ShowCollections names (not InMemory)', call(
        s, 'ShowCollections', M.ShowCollectionsRequest(collection_names=[nope]),
        lambda r: (nope in r.collection_names, list(r.inMemory_percentages), list(r.query_service_available))))


CREATE_CASES = [
    ('two vector fields', [field('id', I64, pk=True), field('fv', FV, dim=4), field('bv', BV, dim=8)], {}),
    ('no vector field', [field('id', I64, pk=True), field('x', I64)], {}),
    ('no primary key', [field('id', I64), field('fv', FV, dim=4)], {}),
    ('two primary keys', [field('id', I64, pk=True), field('id2', I64, pk=True), field('fv', FV, dim=4)], {}),
    ('float primary key', [field('id', FLT, pk=True), field('fv', FV, dim=4)], {}),
    ('JSON primary key', [field('id', JS, pk=True), field('fv', FV, dim=4)], {}),
    ('no fields', [], {}),
    ('dim 1', [field('id', I64, pk=True), field('fv', FV, dim=1)], {}),
    ('dim 0', [field('id', I64, pk=True), field('fv', FV, dim=0)], {}),
    ('dim 32768', [field('id', I64, pk=True), field('fv', FV, dim=32768)], {}),
    ('dim 32769', [field('id', I64, pk=True), field('fv', FV, dim=32769)], {}),
    ('dim missing', [field('id', I64, pk=True), field('fv', FV)], {}),
    ('dim abc', [field('id', I64, pk=True), field('fv', FV, dim='abc')], {}),
    ('binary dim 12', [field('id', I64, pk=True), field('bv', BV, dim=12)], {}),
    ('binary dim 32776', [field('id', I64, pk=True), field('bv', BV, dim=32776)], {}),
    ('VarChar without max_length', [field('id', I64, pk=True), field('s', VC), field('fv', FV, dim=4)], {}),
    ('VarChar max_length 0', [field('id', I64, pk=True), field('s', VC, max_length=0), field('fv', FV, dim=4)], {}),
    ('VarChar max_length 65536', [field('id', I64, pk=True), field('s', VC, max_length=65536), field('fv', FV, dim=4)], {}),
    ('VarChar max_length abc', [field('id', I64, pk=True), field('s', VC, max_length='abc'), field('fv', FV, dim=4)], {}),
    ('VarChar key without max_length', [field('id', VC, pk=True), field('fv', FV, dim=4)], {}),
    ('Array without max_capacity', [field('id', I64, pk=True), field('a', AR, elem=I64), field('fv', FV, dim=4)], {}),
    ('Array max_capacity 0', [field('id', I64, pk=True), field('a', AR, elem=I64, max_capacity=0), field('fv', FV, dim=4)], {}),
    ('Array max_capacity 4097', [field('id', I64, pk=True), field('a', AR, elem=I64, max_capacity=4097), field('fv', FV, dim=4)], {}),
    ('Array max_capacity 4096', [field('id', I64, pk=True), field('a', AR, elem=I64, max_capacity=4096), field('fv', FV, dim=4)], {}),
    ('Array without element type', [field('id', I64, pk=True), field('a', AR, max_capacity=4), field('fv', FV, dim=4)], {}),
    ('Array of JSON', [field('id', I64, pk=True), field('a', AR, elem=JS, max_capacity=4), field('fv', FV, dim=4)], {}),
    ('Array of Array', [field('id', I64, pk=True), field('a', AR, elem=AR, max_capacity=4), field('fv', FV, dim=4)], {}),
    ('Array of VarChar without max_length', [field('id', I64, pk=True), field('a', AR, elem=VC, max_capacity=4), field('fv', FV, dim=4)], {}),
    ('field named $meta', [field('id', I64, pk=True), field('$meta', JS), field('fv', FV, dim=4)], {}),
    ('duplicate field', [field('id', I64, pk=True), field('x', I64), field('x', I64), field('fv', FV, dim=4)], {}),
    ('field name 1x', [field('id', I64, pk=True), field('1x', I64), field('fv', FV, dim=4)], {}),
    ('field name x-y', [field('id', I64, pk=True), field('x-y', I64), field('fv', FV, dim=4)], {}),
    ('two partition keys', [field('id', I64, pk=True), field('k1', I64, pkey=True), field('k2', I64, pkey=True), field('fv', FV, dim=4)], {}),
    ('Float partition key', [field('id', I64, pk=True), field('k', FLT, pkey=True), field('fv', FV, dim=4)], {}),
    ('partition key on the primary key', [field('id', I64, pk=True, pkey=True), field('fv', FV, dim=4)], {}),
    ('num_partitions without partition key', [field('id', I64, pk=True), field('fv', FV, dim=4)], {'num_partitions': 8}),
    ('num_partitions 4096', [field('id', I64, pk=True), field('k', I64, pkey=True), field('fv', FV, dim=4)], {'num_partitions': 4096}),
    ('num_partitions 4097', [field('id', I64, pk=True), field('k', I64, pkey=True), field('fv', FV, dim=4)], {'num_partitions': 4097}),
    ('shards_num 16', [field('id', I64, pk=True), field('fv', FV, dim=4)], {'shards_num': 16}),
    ('shards_num 17', [field('id', I64, pk=True), field('fv', FV, dim=4)], {'shards_num': 17}),
    ('shards_num -1', [field('id', I64, pk=True), field('fv', FV, dim=4)], {'shards_num': -1}),
    ('auto-ID on another field', [field('id', I64, pk=True), field('x', I64, auto=True), field('fv', FV, dim=4)], {}),
    ('auto-ID VarChar key', [field('id', VC, pk=True, auto=True, max_length=10), field('fv', FV, dim=4)], {}),
    ('64 fields', [field('id', I64, pk=True), field('fv', FV, dim=4)] + [field(f'x{i}', I64) for i in range(62)], {}),
    ('65 fields', [field('id', I64, pk=True), field('fv', FV, dim=4)] + [field(f'x{i}', I64) for i in range(63)], {}),
    ('type None', [field('id', I64, pk=True), field('x', 0), field('fv', FV, dim=4)], {}),
    ('type String', [field('id', I64, pk=True), field('x', 20), field('fv', FV, dim=4)], {}),
]


def create_collection(a):
    s = a.s
    for i, (label, fields, kw) in enumerate(CREATE_CASES):
        name = f'{P}c{i}'
        s.DropCollection(M.DropCollectionRequest(collection_name=name))
        a.ask('CreateCollection: ' + label, call(s, 'CreateCollection', M.CreateCollectionRequest(
            collection_name=name, schema=schema(name, fields), **kw)))
        if label == 'shards_num -1':
            a.ask('DescribeCollection shards_num after -1', call(s, 'DescribeCollection', M.DescribeCollectionRequest(
                collection_name=name), lambda r: r.shards_num))
        s.DropCollection(M.DropCollectionRequest(collection_name=name))
    for label, name in [('collection name 1coll', '1coll'), ('collection name co-ll', 'co-ll'), ('empty collection name', '')]:
        a.ask('CreateCollection: ' + label, call(s, 'CreateCollection', M.CreateCollectionRequest(
            collection_name=name, schema=schema(name, [field('id', I64, pk=True), field('fv', FV, dim=4)]))))
    a.ask('CreateCollection: name differs from the schema', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'aaa', schema=schema(P + 'bbb', [field('id', I64, pk=True), field('fv', FV, dim=4)]))))
    a.drop('aaa', 'r1')
    sch = schema(P + 'r1', [field('id', I64, pk=True), field('fv', FV, dim=2)])
    a.ask('CreateCollection', call(s, 'CreateCollection', M.CreateCollectionRequest(collection_name=P + 'r1', schema=sch)))
    a.ask('CreateCollection again, identical', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'r1', schema=sch)))
    a.ask('CreateCollection again, other dim', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'r1', schema=schema(P + 'r1', [field('id', I64, pk=True), field('fv', FV, dim=4)]))))
    a.ask('CreateCollection again, other shards_num', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'r1', schema=sch, shards_num=2)))
    a.ask('DescribeCollection defaults', call(s, 'DescribeCollection', M.DescribeCollectionRequest(
        collection_name=P + 'r1'), lambda r: (r.consistency_level, r.shards_num, list(r.aliases), r.num_partitions,
                                              r.schema.enable_dynamic_field, r.schema.description)))
    a.drop('r1')


def describe(a):
    s = a.s
    a.drop('d')
    fields = [field('id', I64, pk=True), field('s', VC, max_length=8),
              field('a', AR, elem=VC, max_capacity=3, max_length=4), field('j', JS), field('i8', I8), field('fv', FV, dim=4)]
    fields[0].description = 'the key'
    a.ask('CreateCollection d', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'd', schema=schema(P + 'd', fields, dynamic=True, description='described'), shards_num=2,
        consistency_level=2, properties=kvs({'collection.ttl.seconds': 100}))))

    def stable(r):
        d = json_format.MessageToDict(r, preserving_proto_field_name=True)
        for k in ('status', 'collectionID', 'created_timestamp', 'created_utc_timestamp', 'virtual_channel_names',
                  'physical_channel_names', 'start_positions', 'request_time', 'update_timestamp',
                  'update_timestamp_str', 'db_id'):
            d.pop(k, None)
        for f in d['schema']['fields']:
            f.pop('fieldID', None)
        return d
    a.ask('DescribeCollection', call(s, 'DescribeCollection', M.DescribeCollectionRequest(collection_name=P + 'd'), stable))
    d = s.DescribeCollection(M.DescribeCollectionRequest(collection_name=P + 'd'))
    a.ask('DescribeCollection field IDs, timestamps, channels', (
        [f.fieldID for f in d.schema.fields], d.created_utc_timestamp == d.created_timestamp >> 18,
        len(d.virtual_channel_names), len(d.physical_channel_names)))
    a.ask('DescribeCollection by ID', call(s, 'DescribeCollection', M.DescribeCollectionRequest(
        collectionID=d.collectionID), lambda r: (r.collection_name, r.schema.name)))
    a.drop('k', 'a1')
    a.ask('CreateCollection partition key', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'k', schema=schema(P + 'k', [field('id', VC, pk=True, max_length=8),
                                                         field('t', I64, pkey=True), field('fv', FV, dim=2)]))))
    a.ask('DescribeCollection partition key', call(s, 'DescribeCollection', M.DescribeCollectionRequest(
        collection_name=P + 'k'), lambda r: (r.num_partitions, [(f.name, f.is_partition_key) for f in r.schema.fields])))
    a.ask('ShowPartitions partition key', call(s, 'ShowPartitions', M.ShowPartitionsRequest(collection_name=P + 'k'),
                                              lambda r: sorted(r.partition_names)))
    a.ask('CreateCollection auto-ID', call(s, 'CreateCollection', M.CreateCollectionRequest(
        collection_name=P + 'a1', schema=schema(P + 'a1', [field('id', I64, pk=True, auto=True), field('n', I64),
                                                           field('fv', FV, dim=2)], auto=True))))
    a.ask('DescribeCollection auto-ID', call(s, 'DescribeCollection', M.DescribeCollectionRequest(
        collection_name=P + 'a1'), lambda r: (r.schema.autoID, [(f.name, f.autoID) for f in r.schema.fields])))


def index_and_load(a):
    s, c = a.s, P + 'd'
    a.ask('ShowPartitions', call(s, 'ShowPartitions', M.ShowPartitionsRequest(collection_name=c),
                                 lambda r: (sorted(r.partition_names), list(r.inMemory_percentages))))
    a.ask('ShowCollections', call(s, 'ShowCollections', M.ShowCollectionsRequest(collection_names=[c]),
                                  lambda r: (c in r.collection_names, list(r.inMemory_percentages))))
    a.ask('GetLoadState', call(s, 'GetLoadState', M.GetLoadStateRequest(collection_name=c), lambda r: r.state))
    a.ask('LoadCollection without index', call(s, 'LoadCollection', M.LoadCollectionRequest(collection_name=c)))
    a.ask('Query not loaded', query(s, c, 'id > 0'))
    a.ask('count(*) not loaded', query(s, c, '', ['count(*)']))
    a.ask('Query not loaded, bad expression', query(s, c, 'id > 1.5'))
    a.ask('Query not loaded, count with limit', query(s, c, '', ['count(*)'], {'limit': 3}))
    a.ask('GetLoadingProgress not loaded', call(s, 'GetLoadingProgress', M.GetLoadingProgressRequest(collection_name=c)))
    a.ask('DescribeIndex none', call(s, 'DescribeIndex', M.DescribeIndexRequest(collection_name=c)))
    a.ask('DescribeIndex none, field', call(s, 'DescribeIndex', M.DescribeIndexRequest(collection_name=c, field_name='fv')))
    a.ask('GetIndexState none', call(s, 'GetIndexState', M.GetIndexStateRequest(collection_name=c, field_name='fv'),
                                     lambda r: r.state))
    a.ask('GetIndexBuildProgress none', call(s, 'GetIndexBuildProgress', M.GetIndexBuildProgressRequest(
        collection_name=c, field_name='fv')))
    a.ask('DropIndex none', call(s, 'DropIndex', M.DropIndexRequest(collection_name=c, field_name='fv')))
    a.ask('GetCollectionStatistics empty', call(s, 'GetCollectionStatistics', M.GetCollectionStatisticsRequest(
        collection_name=c), lambda r: [(kv.key, kv.value) for kv in r.stats]))
    a.ask('CreateIndex on VarChar', call(s, 'CreateIndex', M.CreateIndexRequest(collection_name=c, field_name='s')))
    a.ask('CreateIndex on JSON', call(s, 'CreateIndex', M.CreateIndexRequest(collection_name=c, field_name='j')))
    a.ask('CreateIndex missing field', call(s, 'CreateIndex', M.CreateIndexRequest(collection_name=c, field_name='zz')))
    a.ask('CreateIndex', call(s, 'CreateIndex', M.CreateIndexRequest(collection_name=c, field_name='fv', extra_params=FLAT)))
    a.ask('CreateIndex again, same', call(s, 'CreateIndex', M.CreateIndexRequest(
        collection_name=c, field_name='fv', extra_params=FLAT)))
    a.ask('CreateIndex again, other metric', call(s, 'CreateIndex', M.CreateIndexRequest(
        collection_name=c, field_name='fv', extra_params=kvs({'index_type': 'FLAT', 'metric_type': 'IP', 'params': '{}'}))))
    time.sleep(0.5)
    a.ask('DescribeIndex', call(s, 'DescribeIndex', M.DescribeIndexRequest(collection_name=c), lambda r: sorted(
        (d.index_name, d.field_name, [(kv.key, kv.value) for kv in d.params]) for d in r.index_descriptions)))
    a.ask('LoadCollection', call(s, 'LoadCollection', M.LoadCollectionRequest(collection_name=c)))
    a.wait_loaded(c)
    a.ask('GetLoadState loaded', call(s, 'GetLoadState', M.GetLoadStateRequest(collection_name=c), lambda r: r.state))
    a.ask('GetLoadingProgress', call(s, 'GetLoadingProgress', M.GetLoadingProgressRequest(collection_name=c),
                                     lambda r: r.progress))
    a.ask('ShowCollections InMemory', call(s, 'ShowCollections', M.ShowCollectionsRequest(collection_names=[c], type=1),
                                           lambda r: (list(r.collection_names), list(r.inMemory_percentages),
                                                      list(r.query_service_available))))
    a.ask('DropIndex loaded', call(s, 'DropIndex', M.DropIndexRequest(collection_name=c, field_name='fv')))
    a.ask('DropPartition _default loaded', call(s, 'DropPartition', M.DropPartitionRequest(
        collection_name=c, partition_name='_default')))


def insert_validation(a):
    """On agree_v, a copy of agree_d's schema that nothing queries (some rows the real server takes, such as
    invalid UTF-8 inside a JSON string, break its later queries)."""
    s, c = a.s, P + 'v'
    a.drop('v')
    fields = [field('id', I64, pk=True), field('s', VC, max_length=8),
              field('a', AR, elem=VC, max_capacity=3, max_length=4), field('j', JS), field('i8', I8), field('fv', FV, dim=4)]
    s.CreateCollection(M.CreateCollectionRequest(collection_name=c, schema=schema(c, fields, dynamic=True)))

    def good(ids, **over):
        n = len(ids)
        cols = {'id': fd_i64('id', ids), 's': fd_str('s', ['x'] * n), 'a': fd_arr_str('a', [['ab']] * n),
                'j': fd_json('j', [b'{}'] * n), 'i8': fd_int('i8', [1] * n, I8), 'fv': fd_fv('fv', [[0.5] * 4] * n, 4)}
        cols.update(over)
        return [v for v in cols.values() if v is not None]

    def ins(label, fields, n, rpc='Insert', **kw):
        req = (M.InsertRequest if rpc == 'Insert' else M.UpsertRequest)(collection_name=c, fields_data=fields,
                                                                        num_rows=n, **kw)
        a.ask(f'{rpc}: {label}', with_err_index(s, rpc, req))

    ins('good rows', good([1, 2]), 2)
    ins('wrong dim (8 floats, dim 8)', good([3], fv=fd_fv('fv', [[0.5] * 8], 8)), 1)
    ins('wrong dim (8 floats, dim 4)', good([3], fv=fd_fv('fv', [[0.5] * 8], 4)), 1)
    ins('float data not a multiple of dim', good([3], fv=fd_fv('fv', [[0.5] * 6], 4)), 1)
    ins('NaN in a float vector', good([3], fv=fd_fv('fv', [[float('nan')] * 4], 4)), 1)
    ins('infinity in a float vector', good([3], fv=fd_fv('fv', [[float('inf')] * 4], 4)), 1)
    ins('VarChar of 9 bytes, max 8', good([3], s=fd_str('s', ['x' * 9])), 1)
    ins('VarChar of 8 bytes in 4 characters', good([3], s=fd_str('s', ['éééé'])), 1)
    ins('VarChar of 10 bytes in 5 characters', good([4], s=fd_str('s', ['ééééé'])), 1)
    ins('VarChar with U+0000', good([5], s=fd_str('s', ['a\x00b'])), 1)
    ins('array over capacity', good([6], a=fd_arr_str('a', [['a', 'b', 'c', 'd']])), 1)
    ins('array VarChar element too long, element type given', good([6], a=fd_arr_str('a', [['abcdefgh']])), 1)
    ins('array VarChar element too long, element type unset', good([7], a=fd_arr_str('a', [['abcdefgh']], elem=0)), 1)
    ins('array of Int64 for VarChar elements', good([8], a=fd_arr_i64('a', [[1]])), 1)
    for label, doc in [('number', b'1'), ('array', b'[1]'), ('string', b'"x"'), ('bool', b'true'), ('null', b'null'),
                       ('invalid', b'{bad'), ('empty', b''), ('trailing garbage', b'{"a":1} x'),
                       ('trailing comma', b'{"a":1,}'), ('bad literal', b'{"a":tru}'), ('control character', b'{"a":"\x01"}'),
                       ('leading zero', b'{"a":01}'), ('truncated', b'{"a":1'), ('missing colon', b'{"a" 1}'),
                       ('bad escape', b'{"a":"\\q"}'), ('array without comma', b'{"a":[1 2]}'), ('byte 0xff', b'\xff'),
                       ('byte 0xff in a string', b'{"a":"\xff"}'), ('whitespace around', b' {"a":1} '),
                       ('over 64 KiB', b'{"a":"' + b'x' * 70000 + b'"}')]:
        ins(f'JSON {label}', good([10], j=fd_json('j', [doc])), 1)
    ins('Int8 200', good([11], i8=fd_int('i8', [200], I8)), 1)
    ins('Int8 -129', good([11], i8=fd_int('i8', [-129], I8)), 1)
    ins('Int8 sent as type Int16', good([12], i8=fd_int('i8', [1], I16)), 1)
    ins('Int8 in long_data', good([12], i8=fd_i64('i8', [1])), 1)
    for name in ['id', 's', 'a', 'j', 'i8', 'fv']:
        ins(f'field {name} missing', good([13], **{name: None}), 1)
    ins('unknown field', good([14]) + [fd_i64('zz', [1])], 1)
    ins('unknown field instead of s', good([14], s=fd_str('zz', ['x'])), 1)
    ins('field given twice', good([14]) + [fd_i64('id', [1])], 1)
    ins('num_rows 3 for 2 rows', good([15, 16]), 3)
    ins('num_rows 0', good([15]), 0)
    ins('one field with 2 rows', good([15], s=fd_str('s', ['a', 'b'])), 1)
    ins('VarChar in long_data', good([15], s=fd_i64('s', [1])), 1)
    ins('dynamic field object', good([20]) + [fd_json('$meta', [b'{"k":1}'], True)], 1)
    ins('dynamic field with a static field name', good([21]) + [fd_json('$meta', [b'{"s":1}'], True)], 1)
    ins('dynamic field null', good([22]) + [fd_json('$meta', [b'null'], True)], 1)
    ins('dynamic field number', good([23]) + [fd_json('$meta', [b'5'], True)], 1)
    ins('dynamic field array', good([23]) + [fd_json('$meta', [b'[1]'], True)], 1)
    ins('dynamic field invalid', good([23]) + [fd_json('$meta', [b'{bad'], True)], 1)
    ins('dynamic field with key $meta', good([23]) + [fd_json('$meta', [b'{"$meta":1}'], True)], 1)
    ins('dynamic field not flagged', good([23]) + [fd_json('$meta', [b'{"k":1}'])], 1)
    ins('dynamic field under another name', good([24]) + [fd_json('dyn', [b'{"k":2}'], True)], 1)
    ins('missing partition', good([25]), 1, partition_name='nopart')
    ins('keys repeated in one batch', good([30, 30]), 2)
    ins('key INT64_MIN', good([INT64_MIN]), 1)
    ins('key INT64_MAX', good([INT64_MAX]), 1)
    ins('replace key 1', good([1], s=fd_str('s', ['up'])), 1, rpc='Upsert')
    ins('wrong dim', good([1], fv=fd_fv('fv', [[0.5] * 8], 8)), 1, rpc='Upsert')

    a1 = P + 'a1'
    for rpc, label, fields in [
            ('Insert', 'auto-ID without key', [fd_i64('n', [1, 2]), fd_fv('fv', [[1, 2]] * 2, 2)]),
            ('Insert', 'auto-ID with key', [fd_i64('id', [5, 6]), fd_i64('n', [1, 2]), fd_fv('fv', [[1, 2]] * 2, 2)]),
            ('Upsert', 'auto-ID with key', [fd_i64('id', [5, 6]), fd_i64('n', [1, 2]), fd_fv('fv', [[1, 2]] * 2, 2)]),
            ('Upsert', 'auto-ID without key', [fd_i64('n', [1, 2]), fd_fv('fv', [[1, 2]] * 2, 2)])]:
        req = (M.InsertRequest if rpc == 'Insert' else M.UpsertRequest)(collection_name=a1, fields_data=fields, num_rows=2)
        a.ask(f'{rpc}: {label}', with_err_index(s, rpc, req, lambda r: (len(r.IDs.int_id.data), r.insert_cnt)))
    k = P + 'k'
    a.ask('Insert: partition key with partition_name', with_err_index(s, 'Insert', M.InsertRequest(
        collection_name=k, partition_name='_default_0', num_rows=1,
        fields_data=[fd_str('id', ['a']), fd_i64('t', [1]), fd_fv('fv', [[1, 2]], 2)])))
    a.ask('Insert: partition key', with_err_index(s, 'Insert', M.InsertRequest(
        collection_name=k, num_rows=3, fields_data=[fd_str('id', ['a', 'b', 'c\x00']), fd_i64('t', [1, 2, 3]),
                                                    fd_fv('fv', [[1, 2]] * 3, 2)])))


EXPRESSIONS = [
    # (expression, reason mode)
    ('id > 0', 'exact'), ('id >= -9223372036854775807', 'exact'), ('id == -9223372036854775808', 'exact'),
    ('id == 9223372036854775807', 'exact'), ('id in [9223372036854775807]', 'exact'),
    ('id >= 9223372036854775806', 'exact'), ('id == 9223372036854775808', 'exact'), ('id >', 'syntax'),
    ('zz > 1', 'exact'), ('k == 1', 'exact'), ('s == "\\x00"', 'exact'), ('s == "\\u0000"', 'exact'),
    ('s == "\\000"', 'exact'), ('s == "a\\x00b"', 'exact'), ('s == "\\q"', 'syntax'), ("s == 'x'", 'exact'),
    ('j["a"] == 1', 'exact'), ('s like "x%"', 'exact'), ('s like "%x"', 'exact'), ('s like "x"', 'exact'),
    ('s like "%"', 'exact'), ('id in [1,2,3]', 'exact'), ('id not in [1,2,3] and id > 0 and id < 100', 'exact'),
    ('id % 2 == 0 and id < 100 and id > 0', 'exact'), ('id + 1 > 2', 'exact'), ('id + 1 != 2 and id < 5', 'exact'),
    ('i8 + id == 2', 'exact'), ('-id == 1', 'exact'), ('0 < id < 10', 'exact'),
    ('not (id > 10) and id > 0', 'exact'), ('id > 0 && id < 10 || id == 30', 'exact'), ('id > 1.5 and id < 10', 'exact'),
    ('id == 1e3', 'exact'), ('id == true', 'exact'), ('id == "1"', 'exact'), ('s == 1', 'exact'), ('s > "a"', 'exact'),
    ('id in [1.5]', 'exact'), ('id in [1, "a"]', 'exact'), ('s in [1]', 'exact'), ('fv > 0', 'exact'),
    ('j == 1', 'exact'), ('i8 like "a%"', 'exact'), ('id > 0 AND id < 3', 'syntax'), ('id > 0 OR id < 3', 'syntax'),
    ('id IN [1]', 'syntax'), ('NOT (id > 1)', 'syntax'), ('id NOT IN [1]', 'syntax'), ('id <> 1', 'syntax'),
    ('id = 1', 'syntax'), ('s LIKE "x%"', 'exact'), ('id > 0 and true', 'exact'), ('id > 0 or 1', 'exact'),
    ('true', 'exact'), ('(id > 0)', 'exact'), ('id > 0 and (id < 5 or id == 30)', 'exact'), ('1 < id', 'exact'),
    ('id != 1 and id < 5', 'exact'), ('id == 0x1e', 'exact'), ('s == "a\\"b"', 'exact'), ("s == 'it\\'s'", 'exact'),
    ('s == "\\u00e9"', 'exact'), ('s == "\\t"', 'exact'), ('id == +1', 'exact'), ('id == - 1', 'exact'),
]


def seed_d(s, c):
    """agree_d's rows: no key twice (Query without a limit loses keys where some are; see duplicates)."""
    ids = [INT64_MIN, 1, 2, 3, 5, 7, 10, 12, 20, 21, 22, 24, 30, 31, INT64_MAX]
    n = len(ids)
    strs = ['x', 'up', 'x', 'éééé', 'a\x00b', 'x', 'it\'s', '', 'a"b', '\t', 'é', 'x', 'xy', 'abc', 'max']
    jsons = [b'{}', b'{"a":1}', b'null', b'{"a":"x"}', b'{"a":{"b":2}}', b'{"a":[1,2]}', b'{}', b'{"a":1.5}', b'{"b":1}',
             b'{}', b'{"a":true}', b'{}', b'{"a":-1}', b'{}', b'{}']
    metas = [b'{}', b'{}', b'{"k":1}', b'null', b'{"s":1}', b'{"k":2}', b'{}', b'{"k":"x"}', b'{}', b'{}', b'{}', b'{}',
             b'{"k":1}', b'{}', b'{}']
    rows = [['ab'], [], ['a', 'b'], ['abcd'], ['é'], [], ['x'], ['y', 'z'], [], [], ['q'], [], ['r'], [], []]
    s.Insert(M.InsertRequest(collection_name=c, num_rows=n, fields_data=[
        fd_i64('id', ids), fd_str('s', strs), fd_arr_str('a', rows), fd_json('j', jsons),
        fd_int('i8', [(i * 37) % 256 - 128 for i in range(n)], I8), fd_fv('fv', [[i / 4, -i, 0.5, 1e-3] for i in range(n)], 4),
        fd_json('$meta', metas, True)]))
    s.Upsert(M.UpsertRequest(collection_name=c, num_rows=1, fields_data=[
        fd_i64('id', [1]), fd_str('s', ['up']), fd_arr_str('a', [[]]), fd_json('j', [b'{"a":1}']),
        fd_int('i8', [7], I8), fd_fv('fv', [[1, 1, 1, 1]], 4)]))


def queries(a):
    s, c = a.s, P + 'd'
    seed_d(s, c)
    for expr, mode in EXPRESSIONS:
        a.ask(f'Query {expr!r}', query(s, c, expr, ['id'], reason=mode))
    for label, out, params in [
            ('count(*)', ['count(*)'], {}), ('count(*) with limit', ['count(*)'], {'limit': 3}),
            ('count(*) and id', ['count(*)', 'id'], {}), ('limit 3', ['id'], {'limit': 3}),
            ('limit 3 offset 2', ['id'], {'limit': 3, 'offset': 2}), ('no limit', ['id'], {}),
            ('limit 16384', ['id'], {'limit': 16384}), ('limit 16385', ['id'], {'limit': 16385}),
            ('limit 16000 offset 385', ['id'], {'limit': 16000, 'offset': 385}), ('limit 0', ['id'], {'limit': 0}),
            ('limit -1', ['id'], {'limit': -1}), ('limit abc', ['id'], {'limit': 'abc'}),
            ('offset -1', ['id'], {'limit': 3, 'offset': -1}), ('offset abc', ['id'], {'limit': 3, 'offset': 'abc'}),
            ('iterator=xx', ['id'], {'limit': 2, 'iterator': 'xx'}),
            ('reduce_stop_for_best=xx', ['id'], {'limit': 2, 'reduce_stop_for_best': 'xx'}),
            ('iterator page', ['id'], {'limit': 2, 'iterator': 'True', 'reduce_stop_for_best': 'True'}),
            ('*', ['*'], {'limit': 100}), ('$meta', ['$meta'], {'limit': 100}), ('dynamic key k', ['k'], {'limit': 100}),
            ('unknown name zz (dynamic)', ['zz'], {'limit': 100}), ('two scalars', ['i8', 's'], {'limit': 100}),
            ('no output fields', [], {'limit': 100}), ('array and JSON', ['a', 'j'], {'limit': 100})]:
        a.ask(f'Query, empty expression: {label}', query(s, c, '', out, params))
    a.ask('Query with offset but no limit', query(s, c, 'id > 0', ['id'], {'offset': 2}))
    a.ask('Query count(*) id > 0', query(s, c, 'id > 0', ['count(*)']))
    a.ask('Query count(*) INT64_MAX', query(s, c, 'id == 9223372036854775807', ['count(*)']))
    a.ask('Query missing partition', query(s, c, 'id > 0', ['id'], partition_names=['nop']))
    a.ask('Query _default partition', query(s, c, 'id > 0', ['id'], partition_names=['_default']))
    k = P + 'k'
    s.CreateIndex(M.CreateIndexRequest(collection_name=k, field_name='fv', extra_params=FLAT))
    s.LoadCollection(M.LoadCollectionRequest(collection_name=k))
    a.wait_loaded(k)
    a.ask('Query partition key collection', query(s, k, 'id > ""', ['t']))
    a.ask('Query partition key collection with partition', query(s, k, 'id > ""', ['t'], partition_names=['_default_0']))
    a.ask('Query VarChar key > "c"', query(s, k, 'id > "c"', ['t']))
    a.ask('Query VarChar key == "c\\x00"', query(s, k, 'id == "c\\x00"', ['t']))
    a.ask('CreatePartition partition key', call(s, 'CreatePartition', M.CreatePartitionRequest(
        collection_name=k, partition_name='p')))
    a.ask('DropPartition partition key', call(s, 'DropPartition', M.DropPartitionRequest(
        collection_name=k, partition_name='_default_0')))
    a.ask('Delete partition key with partition', call(s, 'Delete', M.DeleteRequest(
        collection_name=k, expr='id in ["a"]', partition_name='_default_0')))
    # which partition a partition-key value goes to (murmur3 of the Int64): the flushed rows per partition
    s.Insert(M.InsertRequest(collection_name=k, num_rows=40, fields_data=[
        fd_str('id', [f'p{i}' for i in range(40)]), fd_i64('t', [i * 7919 - 100 for i in range(40)]),
        fd_fv('fv', [[1, 2]] * 40, 2)]))
    flush = s.Flush(M.FlushRequest(collection_names=[k]))
    a.wait_flushed(flush, k)
    parts = s.ShowPartitions(M.ShowPartitionsRequest(collection_name=k)).partition_names
    a.ask('GetPartitionStatistics partition key', sorted(
        (p, s.GetPartitionStatistics(M.GetPartitionStatisticsRequest(collection_name=k, partition_name=p)).stats[0].value)
        for p in parts))


def duplicates_and_snapshots(a):
    """Insert keeps repeated keys (count(*) counts them, a page of limit L holds the first L versions in
    key order, duplicates removed); guarantee_timestamp is no snapshot in 2.3 (no session_ts)."""
    s, c = a.s, P + 'x'
    a.drop('x')
    s.CreateCollection(M.CreateCollectionRequest(collection_name=c, schema=schema(c, [
        field('id', I64, pk=True), field('n', I64), field('fv', FV, dim=2)]), shards_num=2))
    s.CreateIndex(M.CreateIndexRequest(collection_name=c, field_name='fv', extra_params=FLAT))
    s.LoadCollection(M.LoadCollectionRequest(collection_name=c))
    a.wait_loaded(c)

    def ins(ids, n, rpc='Insert'):
        req = (M.InsertRequest if rpc == 'Insert' else M.UpsertRequest)(collection_name=c, num_rows=len(ids), fields_data=[
            fd_i64('id', ids), fd_i64('n', [n] * len(ids)), fd_fv('fv', [[1, 2]] * len(ids), 2)])
        return getattr(s, rpc)(req)
    first = ins(list(range(1, 21)), 0)
    ins([3], 1)
    ins([7, 7], 2)
    ins([9], 3, 'Upsert')
    a.ask('GetCollectionStatistics before Flush', call(s, 'GetCollectionStatistics', M.GetCollectionStatisticsRequest(
        collection_name=c), lambda r: [(kv.key, kv.value) for kv in r.stats]))
    a.ask('count(*) with repeated keys', query(s, c, '', ['count(*)']))
    a.ask('count(*) id == 7', query(s, c, 'id == 7', ['count(*)']))
    for params in [{'limit': 100}, {'limit': 20}, {'limit': 5}, {'limit': 3, 'offset': 1}, {'limit': 2, 'offset': 2},
                   {'limit': 5, 'offset': 15}, {'limit': 16384},
                   {'limit': 5, 'iterator': 'True', 'reduce_stop_for_best': 'True'}]:
        a.ask(f'Query repeated keys {params}', query(s, c, 'id > 0', ['n'], params))
    a.ask('Query repeated keys id in [3, 7]', query(s, c, 'id in [3, 7]', ['n']))
    for expr in ['id > 0', 'id > 5', 'id > 1 and id < 19', 'n == 0']:
        a.ask(f'Query repeated keys, no limit, {expr!r}', query(s, c, expr, ['n']))
    for params in [{'limit': 3, 'reduce_stop_for_best': 'True'}, {'limit': 5, 'reduce_stop_for_best': 'True'},
                   {'limit': 4, 'offset': 3, 'reduce_stop_for_best': 'True'},
                   {'limit': 7, 'iterator': 'True', 'reduce_stop_for_best': 'True'}]:
        a.ask(f'Query repeated keys, two shards, {params}', query(s, c, 'id > 2', ['n'], params))
    page = query(s, c, 'id > 0', ['n'], {'limit': 4, 'iterator': 'True', 'reduce_stop_for_best': 'True'},
                 guarantee_timestamp=0, use_default_consistency=True)
    a.ask('iterator first page', page)
    ins([100, 101], 9)
    a.ask('iterator page at the first write\'s timestamp sees later writes', query(
        s, c, 'id > 17', ['n'], {'limit': 100, 'iterator': 'True', 'reduce_stop_for_best': 'True'},
        guarantee_timestamp=first.timestamp, use_default_consistency=True))
    a.ask('Delete empty expression', call(s, 'Delete', M.DeleteRequest(collection_name=c, expr='')))
    a.ask('Delete bad expression', call(s, 'Delete', M.DeleteRequest(collection_name=c, expr='id >')))
    a.ask('Delete missing partition', call(s, 'Delete', M.DeleteRequest(collection_name=c, expr='id in [1]',
                                                                       partition_name='nop')))
    for expr in ['id in [1, 99]', 'id == 98', 'id in [2, 2]', 'n == 1', 'id > 18 and id < 21', 'id in [7] or id in [8]',
                 'id in []']:
        a.ask(f'Delete {expr!r}', call(s, 'Delete', M.DeleteRequest(collection_name=c, expr=expr), mutation))
    a.ask('Query after Delete', query(s, c, 'id > 0', ['n'], {'limit': 100}))
    a.ask('count(*) after Delete', query(s, c, '', ['count(*)']))
    flush = s.Flush(M.FlushRequest(collection_names=[c]))
    a.ask('Flush', call(s, 'Flush', M.FlushRequest(collection_names=[c]), lambda r: (r.db_name, list(r.coll_segIDs))))
    a.wait_flushed(flush, c)
    a.ask('GetCollectionStatistics after Flush', call(s, 'GetCollectionStatistics', M.GetCollectionStatisticsRequest(
        collection_name=c), lambda r: [(kv.key, kv.value) for kv in r.stats]))
    a.ask('GetPartitionStatistics after Flush', call(s, 'GetPartitionStatistics', M.GetPartitionStatisticsRequest(
        collection_name=c, partition_name='_default'), lambda r: [(kv.key, kv.value) for kv in r.stats]))


def varchar_shards(a):
    """VarChar keys on two shards: the shard of a key is CRC-32 of it, seen in reduce_stop_for_best pages."""
    s, c = a.s, P + 'vs'
    a.drop('vs')
    s.CreateCollection(M.CreateCollectionRequest(collection_name=c, schema=schema(c, [
        field('pk', VC, pk=True, max_length=16), field('fv', FV, dim=2)]), shards_num=2))
    s.CreateIndex(M.CreateIndexRequest(collection_name=c, field_name='fv', extra_params=FLAT))
    s.LoadCollection(M.LoadCollectionRequest(collection_name=c))
    a.wait_loaded(c)
    keys = [f'k{i:02d}' for i in range(30)] + ['', 'é', 'a\x00', 'z' * 16]
    s.Insert(M.InsertRequest(collection_name=c, num_rows=len(keys), fields_data=[
        fd_str('pk', keys), fd_fv('fv', [[1, 2]] * len(keys), 2)]))
    for params in [{'limit': 3, 'reduce_stop_for_best': 'True'}, {'limit': 6, 'reduce_stop_for_best': 'True'},
                   {'limit': 10, 'iterator': 'True', 'reduce_stop_for_best': 'True'}, {'limit': 10}]:
        a.ask(f'Query VarChar keys, two shards, {params}', query(s, c, 'pk > "k0"', ['pk'], params))
    a.ask('Query VarChar keys, two shards, all', query(s, c, 'pk >= ""', ['pk']))


def partitions(a):
    s, c = a.s, P + 'x'
    a.ask('CreatePartition', call(s, 'CreatePartition', M.CreatePartitionRequest(collection_name=c, partition_name='p1')))
    a.ask('CreatePartition again', call(s, 'CreatePartition', M.CreatePartitionRequest(collection_name=c, partition_name='p1')))
    a.ask('CreatePartition 1p', call(s, 'CreatePartition', M.CreatePartitionRequest(collection_name=c, partition_name='1p')))
    a.ask('HasPartition', call(s, 'HasPartition', M.HasPartitionRequest(collection_name=c, partition_name='p1'),
                               lambda r: r.value))
    a.ask('ShowPartitions', call(s, 'ShowPartitions', M.ShowPartitionsRequest(collection_name=c),
                                 lambda r: (sorted(r.partition_names), list(r.inMemory_percentages))))
    a.ask('ShowPartitions names', call(s, 'ShowPartitions', M.ShowPartitionsRequest(collection_name=c, partition_names=['zz']),
                                       lambda r: sorted(r.partition_names)))
    a.ask('ShowPartitions InMemory', call(s, 'ShowPartitions', M.ShowPartitionsRequest(collection_name=c, type=1),
                                          lambda r: sorted(zip(r.partition_names, r.inMemory_percentages))))
    a.ask('GetLoadState missing partition', call(s, 'GetLoadState', M.GetLoadStateRequest(
        collection_name=c, partition_names=['zz']), lambda r: r.state))
    a.ask('Insert into p1', with_err_index(s, 'Insert', M.InsertRequest(collection_name=c, partition_name='p1', num_rows=1,
                                                                         fields_data=[fd_i64('id', [200]), fd_i64('n', [1]),
                                                                                      fd_fv('fv', [[1, 2]], 2)])))
    a.ask('Query p1', query(s, c, 'id > 0', ['n'], partition_names=['p1']))
    a.ask('DropPartition loaded', call(s, 'DropPartition', M.DropPartitionRequest(collection_name=c, partition_name='p1')))
    a.ask('DropPartition missing', call(s, 'DropPartition', M.DropPartitionRequest(collection_name=c, partition_name='zz')))
    a.ask('GetPartitionStatistics missing', call(s, 'GetPartitionStatistics', M.GetPartitionStatisticsRequest(
        collection_name=c, partition_name='zz')))
    a.ask('ReleaseCollection', call(s, 'ReleaseCollection', M.ReleaseCollectionRequest(collection_name=c)))
    a.ask('LoadPartitions missing', call(s, 'LoadPartitions', M.LoadPartitionsRequest(collection_name=c,
                                                                                     partition_names=['zz'])))
    a.ask('DropPartition _default', call(s, 'DropPartition', M.DropPartitionRequest(collection_name=c,
                                                                                   partition_name='_default')))
    a.ask('DropPartition released', call(s, 'DropPartition', M.DropPartitionRequest(collection_name=c, partition_name='p1')))
    a.ask('AlterCollection', call(s, 'AlterCollection', M.AlterCollectionRequest(
        collection_name=c, properties=kvs({'collection.ttl.seconds': 5}))))
    a.ask('AlterCollection properties', call(s, 'DescribeCollection', M.DescribeCollectionRequest(collection_name=c),
                                             lambda r: [(kv.key, kv.value) for kv in r.properties]))


def int64_max(a):
    """A row keyed INT64_MAX: counted by count(*), never returned by Query."""
    s, c = a.s, P + 'max'
    a.drop('max')
    s.CreateCollection(M.CreateCollectionRequest(collection_name=c, schema=schema(c, [
        field('id', I64, pk=True), field('fv', FV, dim=2)])))
    s.CreateIndex(M.CreateIndexRequest(collection_name=c, field_name='fv', extra_params=FLAT))
    s.LoadCollection(M.LoadCollectionRequest(collection_name=c))
    a.wait_loaded(c)
    ids = [INT64_MIN, -1, 0, INT64_MAX - 1, INT64_MAX]
    s.Insert(M.InsertRequest(collection_name=c, num_rows=5, fields_data=[fd_i64('id', ids), fd_fv('fv', [[1, 2]] * 5, 2)]))
    a.ask('INT64_MAX: count(*)', query(s, c, '', ['count(*)']))
    a.ask('INT64_MAX: Query all', query(s, c, 'id >= -9223372036854775807 or id < 0', ['id']))
    a.ask('INT64_MAX: Query limit 2 offset 3', query(s, c, '', ['id'], {'limit': 2, 'offset': 3}))
    a.ask('INT64_MAX: Query id > 0', query(s, c, 'id > 0', ['id'], {'limit': 10, 'iterator': 'True',
                                                                   'reduce_stop_for_best': 'True'}))
    a.ask('INT64_MAX: Query == INT64_MAX', query(s, c, 'id == 9223372036854775807', ['id']))


GROUPS = [('server', server), ('not found', not_found), ('CreateCollection', create_collection), ('describe', describe),
          ('index and load', index_and_load), ('insert', insert_validation), ('query', queries),
          ('duplicates and snapshots', duplicates_and_snapshots), ('VarChar shards', varchar_shards),
          ('partitions', partitions), ('INT64_MAX', int64_max)]


def seed_duplicates(stub, c):
    """For the mvs-level check: keys 1..300 on two shards, some inserted two or three times."""
    stub.DropCollection(M.DropCollectionRequest(collection_name=c))
    stub.CreateCollection(M.CreateCollectionRequest(collection_name=c, shards_num=2, schema=schema(c, [
        field('id', I64, pk=True), field('n', I64), field('fv', FV, dim=2)])))
    stub.CreateIndex(M.CreateIndexRequest(collection_name=c, field_name='fv', extra_params=FLAT))
    stub.LoadCollection(M.LoadCollectionRequest(collection_name=c))
    Asker(stub, c).wait_loaded(c)
    for ids, n in [(list(range(1, 301)), 0), (list(range(5, 300, 11)), 1), ([7, 7, 150, 299], 2)]:
        stub.Insert(M.InsertRequest(collection_name=c, num_rows=len(ids), fields_data=[
            fd_i64('id', ids), fd_i64('n', [n] * len(ids)), fd_fv('fv', [[1, 2]] * len(ids), 2)]))


def drop_all(stub):
    for name in stub.ShowCollections(M.ShowCollectionsRequest()).collection_names:
        if name.startswith(P):
            stub.DropCollection(M.DropCollectionRequest(collection_name=name))


def connect(uri):
    channel = grpc.insecure_channel(uri, options=[('grpc.max_receive_message_length', 256 << 20)])
    grpc.channel_ready_future(channel).result(timeout=30)
    return G.MilvusServiceStub(channel)


def main():
    if len(sys.argv) > 2 and sys.argv[1] in ('--seed-duplicates', '--drop'):
        if sys.argv[1] == '--drop':
            for uri in sys.argv[2:]:
                drop_all(connect(uri))
        else:
            for uri in sys.argv[3:]:
                seed_duplicates(connect(uri), sys.argv[2])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('real')
    ap.add_argument('fake')
    ap.add_argument('--only', help='only the groups whose name contains this')
    ap.add_argument('--verbose', action='store_true', help='print every answer')
    args = ap.parse_args()
    real, fake = Asker(connect(args.real), 'real'), Asker(connect(args.fake), 'fake')
    groups = [(n, g) for n, g in GROUPS if not args.only or args.only in n]
    bad = 0
    for name, group in groups:
        for asker in (real, fake):
            asker.answers = []
            group(asker)
        for (label, r), (label2, f) in zip(real.answers, fake.answers):
            assert label == label2, (label, label2)
            if r != f:
                bad += 1
                print(f'DIFFERENT [{name}] {label}\n    real: {r}\n    fake: {f}')
            elif args.verbose:
                print(f'same [{name}] {label}: {r}')
        asked = len(real.answers)
        if asked != len(fake.answers):
            bad += 1
            print(f'DIFFERENT [{name}]: {asked} answers from the real server, {len(fake.answers)} from the fake')
        print(f'# {name}: {asked} questions')
    for asker in (real,):
        asker.drop('d', 'k', 'a1', 'x', 'max', 'v', 'vs')
    if bad:
        print(f'{bad} disagreements')
        sys.exit(1)
    print('the real server and the fake agree')


if __name__ == '__main__':
    main()
