import { renderPreview } from '../commands/assets.command';
import { cellText, displayWidth, renderTable, truncate, type TableColumn } from './table.renderer';
import { elapsed, formatDuration } from './time.format';

interface Row {
  name: string;
  state: string;
  rows: number | null;
}

const COLUMNS: TableColumn<Row>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'state', value: (r) => r.state },
  { header: 'rows', value: (r) => r.rows, align: 'right' },
];

describe('renderTable', () => {
  it('pads columns to the widest cell, upper-cases headers, right-aligns numbers, trims line ends', () => {
    const text = renderTable(COLUMNS, [
      { name: 'extract', state: 'succeeded', rows: 1200 },
      { name: 'load', state: 'failed', rows: 7 },
    ]);
    expect(text).toBe(['NAME     STATE      ROWS', 'extract  succeeded  1200', 'load     failed        7', ''].join('\n'));
  });

  it('prints only the headers for no rows', () => {
    expect(renderTable(COLUMNS, [])).toBe('NAME  STATE  ROWS\n');
  });

  it('prints absent values as empty, or as the given placeholder', () => {
    const row = { name: 'x', state: 'pending', rows: null };
    expect(renderTable(COLUMNS, [row])).toBe('NAME  STATE    ROWS\nx     pending\n');
    expect(renderTable(COLUMNS, [row], { empty: 'NULL' })).toBe('NAME  STATE    ROWS\nx     pending  NULL\n');
  });

  it('keeps every cell on one line: control characters are escaped', () => {
    const text = renderTable(COLUMNS, [{ name: 'a\nb\tc\u0007', state: 'ok\r', rows: 1 }]);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain('a\\nb\\tc\\x07');
    expect(text).toContain('ok\\r');
  });

  it('cuts long cells at the column maximum with an ellipsis', () => {
    const cols: TableColumn<{ v: string }>[] = [{ header: 'v', value: (r) => r.v, maxWidth: 10 }];
    expect(renderTable(cols, [{ v: 'abcdefghijklmnop' }, { v: 'short' }])).toBe('V\nabcdefghi…\nshort\n');
  });

  it('aligns wide (CJK, emoji) characters by terminal columns, not string length', () => {
    const cols: TableColumn<{ a: string; b: string }>[] = [
      { header: 'a', value: (r) => r.a },
      { header: 'b', value: (r) => r.b },
    ];
    const lines = renderTable(cols, [
      { a: '数据', b: 'x' },
      { a: 'abcd', b: 'y' },
    ]).split('\n');
    expect(lines[1]).toBe('数据  x');
    expect(lines[2]).toBe('abcd  y');
    expect(displayWidth(lines[1]!)).toBe(displayWidth(lines[2]!));
  });

  it('prints objects as JSON, booleans and bigints as text', () => {
    expect(cellText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(cellText(true)).toBe('true');
    expect(cellText(12345678901234567890n)).toBe('12345678901234567890');
    expect(cellText(undefined, '-')).toBe('-');
  });

  it('keeps header case as given when asked (column names are data)', () => {
    const cols: TableColumn<{ v: number }>[] = [{ header: 'orderId', value: (r) => r.v }];
    expect(renderTable(cols, [{ v: 1 }], { headers: 'as-is' })).toBe('orderId\n1\n');
  });
});

describe('truncate and displayWidth', () => {
  it('never splits a wide character past the limit', () => {
    expect(truncate('数据数据数据', 5)).toBe('数据…');
    expect(displayWidth(truncate('数据数据数据', 5))).toBeLessThanOrEqual(5);
    expect(truncate('short', 10)).toBe('short');
  });

  it('counts combining marks as zero columns', () => {
    expect(displayWidth('e\u0301')).toBe(1);
  });
});

describe('renderPreview (assets preview)', () => {
  it('lays out the rows in column order, numbers right-aligned, NULL spelled out, names as they are', () => {
    const text = renderPreview({
      assetId: 'a',
      snapshotId: 's',
      sequence: 3,
      limit: 2,
      columns: [
        { name: 'orderId', type: 'BIGINT' },
        { name: 'customer', type: 'VARCHAR' },
        { name: 'amount', type: 'DECIMAL(10,2)' },
      ],
      rows: [
        { orderId: '1', customer: 'ada', amount: '12.50' },
        { orderId: '1000', customer: null, amount: '7.00' },
      ],
    });
    expect(text).toBe(['orderId  customer  amount', '      1  ada        12.50', '   1000  NULL        7.00', ''].join('\n'));
  });
});

describe('durations', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [1000, '1.0s'],
    [12_345, '12.3s'],
    [59_999, '59.9s'],
    [60_000, '1m00s'],
    [245_000, '4m05s'],
    [3_600_000, '1h00m'],
    [7_380_000, '2h03m'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('measures to now while unfinished and is empty before the start', () => {
    expect(elapsed('2026-01-01T00:00:00.000Z', null, Date.parse('2026-01-01T00:00:02.500Z'))).toBe('2.5s');
    expect(elapsed('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.300Z')).toBe('300ms');
    expect(elapsed(null, null)).toBe('');
  });
});
