import { openDuckDb } from '@flowforge/engine';
import { destinationType, quoteIdent, qualifiedTable, transferSelect, valueKind } from './dialects';
import { describeSelect } from './rows';

const DUCK_TYPES = [
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UBIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL(18,4)',
  'DECIMAL(40,10)',
  'VARCHAR',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_MS',
  'TIMESTAMP WITH TIME ZONE',
  'BLOB',
  'UUID',
  'INTEGER[]',
  'STRUCT(a INTEGER)',
  'MAP(VARCHAR, INTEGER)',
  'INTERVAL',
];

describe('type mapping DuckDB → each dialect (one table per dialect)', () => {
  it('classifies DuckDB spellings', () => {
    expect(valueKind('DECIMAL(10, 2)')).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(valueKind('TIMESTAMP_NS')).toEqual({ kind: 'timestamp' });
    expect(valueKind('VARCHAR[][]')).toEqual({ kind: 'json' });
    expect(valueKind('INTEGER[3]')).toEqual({ kind: 'json' });
    expect(valueKind("ENUM('a', 'b')")).toEqual({ kind: 'text' });
    expect(valueKind('UTINYINT')).toEqual({ kind: 'int', bits: 8, unsigned: true });
  });

  it.each([
    [
      'redshift',
      [
        'BOOLEAN',
        'SMALLINT',
        'SMALLINT',
        'INTEGER',
        'BIGINT',
        'DECIMAL(38,0)',
        'DECIMAL(20,0)',
        'REAL',
        'DOUBLE PRECISION',
        'DECIMAL(18,4)',
        'DECIMAL(38,10)',
        'VARCHAR(65535)',
        'DATE',
        'TIME',
        'TIMESTAMP',
        'TIMESTAMP',
        'TIMESTAMPTZ',
        'VARCHAR(65535)',
        'VARCHAR(36)',
        'VARCHAR(65535)',
        'VARCHAR(65535)',
        'VARCHAR(65535)',
        'VARCHAR(65535)',
      ],
    ],
    [
      'synapse',
      [
        'BIT',
        'SMALLINT',
        'SMALLINT',
        'INT',
        'BIGINT',
        'DECIMAL(38,0)',
        'DECIMAL(20,0)',
        'REAL',
        'FLOAT',
        'DECIMAL(18,4)',
        'DECIMAL(38,10)',
        'NVARCHAR(MAX)',
        'DATE',
        'TIME(6)',
        'DATETIME2(6)',
        'DATETIME2(6)',
        'DATETIMEOFFSET(6)',
        'VARBINARY(MAX)',
        'UNIQUEIDENTIFIER',
        'NVARCHAR(MAX)',
        'NVARCHAR(MAX)',
        'NVARCHAR(MAX)',
        'NVARCHAR(MAX)',
      ],
    ],
    [
      'snowflake',
      [
        'BOOLEAN',
        'NUMBER(19,0)',
        'NUMBER(19,0)',
        'NUMBER(19,0)',
        'NUMBER(19,0)',
        'NUMBER(38,0)',
        'NUMBER(20,0)',
        'FLOAT',
        'FLOAT',
        'NUMBER(18,4)',
        'NUMBER(38,10)',
        'VARCHAR',
        'DATE',
        'TIME(6)',
        'TIMESTAMP_NTZ(6)',
        'TIMESTAMP_NTZ(6)',
        'TIMESTAMP_TZ(6)',
        'BINARY',
        'VARCHAR(36)',
        'VARCHAR',
        'VARCHAR',
        'VARCHAR',
        'VARCHAR',
      ],
    ],
    [
      'bigquery',
      [
        'BOOL',
        'INT64',
        'INT64',
        'INT64',
        'INT64',
        'BIGNUMERIC',
        'BIGNUMERIC',
        'FLOAT64',
        'FLOAT64',
        'NUMERIC',
        'BIGNUMERIC',
        'STRING',
        'DATE',
        'TIME',
        'DATETIME',
        'DATETIME',
        'TIMESTAMP',
        'BYTES',
        'STRING',
        'STRING',
        'STRING',
        'STRING',
        'STRING',
      ],
    ],
  ] as const)('%s', (dialect, expected) => {
    expect(DUCK_TYPES.map((t) => destinationType(dialect, t))).toEqual(expected);
  });

  it('quotes identifiers per dialect, doubling the quote character', () => {
    expect(quoteIdent('redshift', 'a"b')).toBe('"a""b"');
    expect(quoteIdent('snowflake', 'order date')).toBe('"order date"');
    expect(quoteIdent('synapse', 'a]b')).toBe('[a]]b]');
    expect(quoteIdent('bigquery', 'a`b')).toBe('`a\\`b`');
    expect(qualifiedTable('synapse', { schema: 'sales', table: 'daily' })).toBe('[sales].[daily]');
    expect(() => quoteIdent('redshift', 'a\u0000')).toThrow(/NUL/);
  });

  it('transferSelect gives every driver bindable forms (real DuckDB)', async () => {
    const db = await openDuckDb({ threads: 1 });
    try {
      await db.withSession(async (s) => {
        const sql = `SELECT [1, 2] AS l, {'a': 'x'} AS st, TIMESTAMPTZ '2024-02-03 04:05:06.5+02' AS tz, '\\xAB\\xCD'::BLOB AS b, 12.5::DECIMAL(10,2) AS d, 42::BIGINT AS n, INTERVAL 1 DAY AS i, TIMESTAMP_MS '2024-01-01 00:00:00.123' AS tms`;
        const schema = await describeSelect(s, sql);
        const rs = (await s.all(transferSelect(sql, schema, 'redshift'))).rows[0];
        expect(rs).toEqual({
          l: '[1,2]',
          st: '{"a":"x"}',
          tz: '2024-02-03T02:05:06.500000Z',
          b: 'ABCD',
          d: '12.50',
          n: '42',
          i: '1 day',
          tms: '2024-01-01 00:00:00.123',
        });
        const bq = (await s.all(transferSelect(sql, schema, 'bigquery'))).rows[0];
        expect(bq).toMatchObject({ b: 'q80=', d: '12.50', n: '42' });
        const sf = await s.all(transferSelect(sql, schema, 'snowflake'));
        expect(sf.columns.map((c) => c.type)).toEqual([
          'VARCHAR',
          'VARCHAR',
          'TIMESTAMP WITH TIME ZONE',
          'BLOB',
          'DECIMAL(10,2)',
          'BIGINT',
          'VARCHAR',
          'TIMESTAMP',
        ]);
      });
    } finally {
      db.close();
    }
  });
});
