import { UsageError } from './cli.errors';
import { collect, parseRunParams } from './params.parser';

describe('parseRunParams (--param name=value)', () => {
  it('reads repeated pairs as text, typed later by the workflow', () => {
    expect(parseRunParams(['run_date=2026-01-31', 'limit=100', 'full_refresh=true'])).toEqual({
      run_date: '2026-01-31',
      limit: '100',
      full_refresh: 'true',
    });
  });

  it('splits at the first "=": the value may hold "=" (and JSON, spaces, nothing at all)', () => {
    expect(parseRunParams(['filter=a=b', 'expr==x', 'filters={"status":["paid"]}', 'note=two words', 'empty='])).toEqual({
      filter: 'a=b',
      expr: '=x',
      filters: '{"status":["paid"]}',
      note: 'two words',
      empty: '',
    });
  });

  it('gives no parameters for no pairs', () => {
    expect(parseRunParams([])).toEqual({});
  });

  it.each([
    ['run_date', /--param "run_date" must be name=value/],
    ['=value', /has no name before "="/],
    ['1st=x', /"1st" is not a parameter name/],
    ['run-date=x', /"run-date" is not a parameter name/],
    [' run_date=x', /" run_date" is not a parameter name/],
    [`${'a'.repeat(64)}=x`, /is not a parameter name/],
  ])('refuses %j as a usage error', (pair, message) => {
    const run = (): unknown => parseRunParams([pair]);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
  });

  it('refuses a name given twice rather than picking one', () => {
    expect(() => parseRunParams(['limit=1', 'limit=2'])).toThrow('--param limit is given twice');
  });

  it('keeps a parameter named like an Object property as a plain parameter', () => {
    const params = parseRunParams(['__proto__=x', 'constructor=y']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.hasOwn(params, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(params))).toEqual(JSON.parse('{"__proto__":"x","constructor":"y"}'));
  });

  it('collects repeated option values in order', () => {
    expect(collect('b=2', collect('a=1', undefined))).toEqual(['a=1', 'b=2']);
  });
});
