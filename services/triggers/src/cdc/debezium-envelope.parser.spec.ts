import { decodeDebeziumMessage, keyOf, type CdcChange } from './debezium-envelope.parser';

const buf = (v: unknown) => Buffer.from(JSON.stringify(v));

/** As Debezium 3.6's PostgreSQL connector writes them with the JSON converter without schemas. */
const pgInsert = {
  before: null,
  after: { id: 1, status: 'new', amount: '10.50' },
  source: {
    version: '3.6.1.Final',
    connector: 'postgresql',
    name: 'p',
    ts_ms: 1796583772000,
    snapshot: 'false',
    db: 'shop',
    schema: 'public',
    table: 'orders',
    txId: 771,
    lsn: 24023128,
  },
  op: 'c',
  ts_ms: 1796583772944,
};
/** As Debezium 3.5's MariaDB connector writes them. */
const mariaUpdate = {
  before: { id: 1, v: 'a' },
  after: { id: 1, v: 'c' },
  source: {
    version: '3.5.0.Final',
    connector: 'mariadb',
    name: 'm',
    ts_ms: 1796583772000,
    db: 'cdcprobe',
    table: 't',
    server_id: 1,
    gtid: '0-1-5',
    file: 'mysql-bin.000001',
    pos: 1227,
    row: 0,
  },
  op: 'u',
};

describe('Debezium envelope', () => {
  it('decodes a PostgreSQL insert: schema.table, the key, the row, the LSN', () => {
    expect(decodeDebeziumMessage(buf({ id: 1 }), buf(pgInsert))).toEqual({
      change: {
        table: 'public.orders',
        operation: 'insert',
        key: { id: 1 },
        before: null,
        after: { id: 1, status: 'new', amount: '10.50' },
        tsMs: 1796583772000,
        position: 'lsn:24023128',
      },
    });
  });

  it('decodes a MariaDB update: database.table, both rows, the binlog file, position and row', () => {
    expect(decodeDebeziumMessage(buf({ id: 1 }), buf(mariaUpdate))).toMatchObject({
      change: { table: 'cdcprobe.t', operation: 'update', before: { id: 1, v: 'a' }, after: { id: 1, v: 'c' }, position: 'binlog:mysql-bin.000001:1227:0' },
    });
  });

  it('accepts the converter form with schemas ({schema, payload})', () => {
    const d = decodeDebeziumMessage(
      buf({ schema: {}, payload: { id: 1 } }),
      buf({ schema: { type: 'struct' }, payload: { ...pgInsert, op: 'd', before: { id: 1 }, after: null } }),
    );
    expect(d).toMatchObject({ change: { operation: 'delete', key: { id: 1 }, before: { id: 1 }, after: null } });
  });

  it('skips tombstones, snapshot reads, truncates and what is not JSON', () => {
    expect(decodeDebeziumMessage(buf({ id: 1 }), null)).toEqual({ skipped: 'tombstone' });
    expect(decodeDebeziumMessage(null, buf({ ...pgInsert, op: 'r' }))).toEqual({ skipped: 'operation "r" is not a row change' });
    expect(decodeDebeziumMessage(null, buf({ ...pgInsert, op: 't' }))).toEqual({ skipped: 'operation "t" is not a row change' });
    expect(decodeDebeziumMessage(null, Buffer.from('{nope'))).toEqual({ skipped: 'not a Debezium change event (value is not a JSON object)' });
    expect(decodeDebeziumMessage(null, buf([1, 2]))).toEqual({ skipped: 'not a Debezium change event (value is not a JSON object)' });
  });

  it('names a change by its primary key, or by the keyColumns of its row', () => {
    const change: CdcChange = {
      table: 's.t',
      operation: 'update',
      key: { id: 7 },
      before: null,
      after: { id: 7, region: 'eu', n: 2 },
      tsMs: null,
      position: null,
    };
    expect(keyOf(change, undefined)).toBe(7);
    expect(keyOf({ ...change, key: { a: 1, b: 2 } }, undefined)).toEqual({ a: 1, b: 2 });
    expect(keyOf(change, ['region'])).toBe('eu');
    expect(keyOf(change, ['region', 'n'])).toEqual({ region: 'eu', n: 2 });
    expect(keyOf({ ...change, operation: 'delete', before: { id: 7, region: 'us' }, after: null }, ['region'])).toBe('us');
    expect(keyOf({ ...change, key: null }, undefined)).toBeNull();
  });
});
