import { looksLikeHeader, parseCsvHead, sniffDelimiter, uniqueColumnNames } from './csv-dialect';

describe('CSV dialect', () => {
  it('parses quoted delimiters, doubled quotes, newlines in quotes and every line break style', () => {
    expect(parseCsvHead('a,"b,c","say ""hi"""\r\n1,"x\ny",3\r4,5,6', ',', '"', '"', 10, true)).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', 'x\ny', '3'],
      ['4', '5', '6'],
    ]);
    // A head cut inside a record drops that record.
    expect(parseCsvHead('a,b\n1,"unfinished', ',', '"', '"', 10, false)).toEqual([['a', 'b']]);
  });

  it('finds the delimiter that splits records consistently', () => {
    expect(sniffDelimiter('a\tb\tc\n1\t2\t3\n', '"', true).delimiter).toBe('\t');
    expect(sniffDelimiter('a|b\n1|"x,y"\n2|z\n', '"', true).delimiter).toBe('|');
    expect(sniffDelimiter('a;b;c\n1,5;2;3\n2,5;3;4\n', '"', true).delimiter).toBe(';');
    expect(sniffDelimiter('only\none\ncolumn\n', '"', true).delimiter).toBe(',');
  });

  it('tells a header from data', () => {
    expect(
      looksLikeHeader([
        ['id', 'name'],
        ['1', 'x'],
      ]),
    ).toBe(true);
    expect(
      looksLikeHeader([
        ['1', 'x'],
        ['2', 'y'],
      ]),
    ).toBe(false);
    expect(looksLikeHeader([['2024-01-01', 'x']])).toBe(false);
  });

  it('makes column names unique ignoring case and keeps clear of the reader’s own columns', () => {
    expect(uniqueColumnNames(['a', 'A', 'a', '', ' b ', '_ff_run_id', '_rescued_data', 'a_2'])).toEqual([
      'a',
      'A_2',
      'a_3',
      'column_4',
      'b',
      '_ff_run_id_2',
      '_rescued_data_2',
      'a_2_2',
    ]);
  });
});
