import { FORMAT_OPTIONS_JSON_SCHEMA, parseFormatOptions } from './format-options';
import { IngestError } from './ingest.errors';

describe('format options', () => {
  it('validates options and limits, naming every bad field', () => {
    expect(parseFormatOptions({ csv: { delimiter: ';' }, locale: { decimalSeparator: ',' } }, { maxRejected: { percent: 5 } }).options.csv?.delimiter).toBe(
      ';',
    );
    let err: unknown;
    try {
      parseFormatOptions({ csv: { delimiter: ';;', nope: 1 }, format: 'xls' }, { maxRejected: { percent: 500 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('FF_INGEST_OPTIONS');
    const msg = (err as Error).message;
    expect(msg).toContain('options.csv.nope is not a known option');
    expect(msg).toContain('options.format must be one of');
    expect(msg).toContain('limits.maxRejected.percent');
    expect(() => parseFormatOptions({ csv: { delimiter: '"' } })).toThrow('options.csv.quote must differ');
  });

  it('exports its JSON Schema for the job type config', () => {
    expect(FORMAT_OPTIONS_JSON_SCHEMA.properties.csv.properties.raggedRows.enum).toEqual(['reject', 'pad']);
  });
});
