import { resolveParameters } from './run.parameters';
import { WorkflowValidationError } from './workflow.errors';
import type { ParameterSpec } from './workflow.model';

const specs: ParameterSpec[] = [
  { name: 'run_date', type: 'date', required: true },
  { name: 'limit', type: 'integer', default: 100 },
  { name: 'rate', type: 'number' },
  { name: 'full', type: 'boolean', default: false },
  { name: 'region', type: 'string' },
  { name: 'filters', type: 'json', default: { status: ['paid'] } },
];

function issues(given: Record<string, unknown>, declared = specs): string[] {
  try {
    resolveParameters(declared, given);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowValidationError);
    expect((err as WorkflowValidationError).code).toBe('FF_PARAMS_INVALID');
    return (err as WorkflowValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected FF_PARAMS_INVALID');
}

describe('resolveParameters', () => {
  it('converts text of every type and fills defaults, leaving out what has neither', () => {
    expect(resolveParameters(specs, { run_date: '2024-02-29', limit: ' 42 ', rate: '-1.5e2', full: 'TRUE', filters: '{"a":[1,null]}' })).toEqual({
      run_date: '2024-02-29',
      limit: 42,
      rate: -150,
      full: true,
      filters: { a: [1, null] },
    });
    expect(resolveParameters(specs, { run_date: '2024-01-01' })).toEqual({
      run_date: '2024-01-01',
      limit: 100,
      full: false,
      filters: { status: ['paid'] },
    });
  });

  it('takes values that already have the type (API bodies)', () => {
    expect(resolveParameters(specs, { run_date: '2024-01-01', limit: 7, rate: 0.5, full: true, region: 'eu', filters: [1, 2] })).toEqual({
      run_date: '2024-01-01',
      limit: 7,
      rate: 0.5,
      full: true,
      region: 'eu',
      filters: [1, 2],
    });
  });

  it('does not share a json default between runs', () => {
    const a = resolveParameters(specs, { run_date: '2024-01-01' });
    (a.filters as { status: string[] }).status.push('mutated');
    expect(resolveParameters(specs, { run_date: '2024-01-01' }).filters).toEqual({ status: ['paid'] });
  });

  it.each([
    ['limit', 'ten', 'an integer'],
    ['limit', '1.5', 'an integer'],
    ['limit', '9007199254740993', 'an integer'],
    ['limit', 1.5, 'an integer'],
    ['rate', 'fast', 'a number'],
    ['rate', 'Infinity', 'a number'],
    ['rate', '', 'a number'],
    ['full', 'yes', 'true or false'],
    ['full', 1, 'true or false'],
    ['region', 42, 'a string'],
    ['run_date', '2024-02-30', 'a date (YYYY-MM-DD)'],
    ['run_date', '2024-1-5', 'a date (YYYY-MM-DD)'],
    ['run_date', '2024-01-01T00:00:00Z', 'a date (YYYY-MM-DD)'],
  ])('refuses %s = %p, naming the parameter and the type', (name, value, expected) => {
    const given: Record<string, unknown> = { run_date: '2024-01-01', [name]: value };
    const [issue, ...rest] = issues(given);
    expect(rest).toEqual([]);
    expect(issue).toMatch(new RegExp(`^params\\.${name}: parameter "${name}" must be ${expected.replace(/[()]/g, '\\$&')} \\(got `));
  });

  it('says why JSON text does not parse', () => {
    expect(issues({ run_date: '2024-01-01', filters: '{status: paid}' })[0]).toMatch(
      /^params\.filters: parameter "filters" must be JSON \(got "\{status: paid\}"\): .+/,
    );
  });

  it('reports unknown names (with a suggestion) and missing required ones, all at once', () => {
    expect(issues({ limt: '5', rate: 'x' })).toEqual([
      'params.limt: unknown parameter "limt": did you mean "limit"? (it declares run_date, limit, rate, full, region, filters)',
      'params.run_date: parameter "run_date" is required (a date (YYYY-MM-DD))',
      'params.rate: parameter "rate" must be a number (got "x")',
    ]);
    expect(issues({ x: '1' }, [])).toEqual(['params.x: unknown parameter "x": (it declares none)']);
  });
});
