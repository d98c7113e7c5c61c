import { WorkflowValidationError, type ValidationIssue } from './workflow.errors';
import { DEFAULT_RETRY } from './workflow.model';
import { validateWorkflow } from './workflow.validator';

/** The issues a call throws (fails the test when it does not throw). */
function issuesOf(fn: () => unknown): ValidationIssue[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowValidationError);
    expect((err as WorkflowValidationError).code).toBe('FF_WORKFLOW_INVALID');
    return (err as WorkflowValidationError).issues;
  }
  throw new Error('expected a WorkflowValidationError');
}

const minimal = { name: 'daily', steps: [{ id: 'extract', job: 'extract-orders' }] };

describe('validateWorkflow', () => {
  it('fills the defaults of a minimal workflow', () => {
    expect(validateWorkflow(minimal)).toEqual({
      name: 'daily',
      parameters: [],
      steps: [{ id: 'extract', job: 'extract-orders', dependsOn: [], condition: 'on_success', retry: DEFAULT_RETRY }],
      concurrency: { overlap: 'allow' },
    });
  });

  it('keeps what is given and completes a partial retry policy', () => {
    const wf = validateWorkflow({
      name: 'daily',
      description: 'd',
      tags: ['sales'],
      timeoutMs: 60_000,
      concurrency: { maxRuns: 2, overlap: 'skip' },
      parameters: [
        { name: 'run_date', type: 'date', required: true },
        { name: 'limit', type: 'integer', default: 10 },
      ],
      steps: [
        { id: 'extract', job: 'extract-orders', jobVersion: 2, retry: { maxAttempts: 3 }, timeoutMs: 1000, params: { limit: 100, day: '${params.run_date}' } },
        { id: 'load', job: 'load', dependsOn: ['extract'], condition: 'always', params: { snap: '${steps.extract.outputs.snapshot}' } },
      ],
    });
    expect(wf.steps[0]).toEqual({
      id: 'extract',
      job: 'extract-orders',
      jobVersion: 2,
      dependsOn: [],
      condition: 'on_success',
      retry: { ...DEFAULT_RETRY, maxAttempts: 3 },
      timeoutMs: 1000,
      params: { limit: '100', day: '${params.run_date}' }, // bare numbers are taken as their text
    });
    expect(wf.parameters).toEqual([
      { name: 'run_date', type: 'date', required: true },
      { name: 'limit', type: 'integer', default: 10 },
    ]);
    expect(wf.concurrency).toEqual({ maxRuns: 2, overlap: 'skip' });
  });

  it('accepts its own output unchanged (normalising twice changes nothing)', () => {
    const once = validateWorkflow({
      name: 'daily',
      parameters: [{ name: 'f', type: 'json', default: { a: 1 } }],
      steps: [
        { id: 'a', job: 'j', retry: { maxAttempts: 2 } },
        { id: 'b', job: 'j', dependsOn: ['a'], condition: 'on_failure' },
      ],
    });
    expect(validateWorkflow(once)).toEqual(once);
  });

  it('names the steps of a cycle in order', () => {
    const issues = issuesOf(() =>
      validateWorkflow({
        name: 'loop',
        steps: [
          { id: 'a', job: 'j', dependsOn: ['c'] },
          { id: 'b', job: 'j', dependsOn: ['a'] },
          { id: 'c', job: 'j', dependsOn: ['b'] },
          { id: 'd', job: 'j', dependsOn: ['a'] },
        ],
      }),
    );
    expect(issues).toEqual([{ path: 'steps[0].dependsOn[0]', message: 'cycle: a -> b -> c -> a' }]);
  });

  it('reports unknown, self and duplicated dependencies, with a suggestion for a typo', () => {
    const issues = issuesOf(() =>
      validateWorkflow({
        name: 'daily',
        steps: [
          { id: 'extract', job: 'j' },
          { id: 'load', job: 'j', dependsOn: ['extrct', 'load', 'extract', 'extract'] },
        ],
      }),
    );
    expect(issues).toEqual([
      { path: 'steps[1].dependsOn[3]', stepId: 'load', message: 'lists "extract" twice in dependsOn' },
      { path: 'steps[1].dependsOn[0]', stepId: 'load', message: 'depends on unknown step "extrct" (did you mean "extract"?)' },
      { path: 'steps[1].dependsOn[1]', stepId: 'load', message: 'depends on itself' },
    ]);
    const err = catchError(() => validateWorkflow({ name: 'x', steps: [{ id: 'load', job: 'j', dependsOn: ['extrct'] }] }));
    expect(err.message).toBe('step "load": depends on unknown step "extrct"');
  });

  it('reports every issue at once, not just the first', () => {
    const issues = issuesOf(() =>
      validateWorkflow({
        name: 'Daily Sales',
        concurrency: { maxRuns: 0, overlap: 'sometimes' },
        parameters: [
          { name: 'limit', type: 'integer', default: 'ten' },
          { name: '1st', type: 'text' },
        ],
        steps: [
          { id: 'Extract', job: 'j' },
          { id: 'load', job: 'j', retry: { maxAttempts: 0, backoffFactor: 0.5 }, timeoutMs: -1, dependOn: ['x'] },
          { id: 'load', job: 'j' },
          'publish',
        ],
      }),
    );
    const lines = issues.map((i) => `${i.path} | ${i.stepId ?? ''} | ${i.message}`);
    expect(lines).toEqual([
      'name |  | name "Daily Sales" is not valid: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters',
      'parameters[0].default |  | parameter "limit": default must be an integer like its type (got "ten")',
      'parameters[1].name |  | parameters[1].name "1st" is not valid: use letters, digits and "_", not starting with a digit, at most 63 characters',
      'parameters[1].type |  | parameters[1].type must be one of string, integer, number, boolean, date, json (got "text")',
      'concurrency.maxRuns |  | concurrency.maxRuns must be an integer between 1 and 10000 (got 0)',
      'concurrency.overlap |  | concurrency.overlap must be one of allow, skip, queue, cancel_running (got "sometimes")',
      'steps[0].id |  | steps[0].id "Extract" is not valid: use lower-case letters, digits, "_" and "-", starting with a letter or digit, at most 63 characters',
      'steps[1].dependOn | load | unknown field "dependOn" (did you mean "dependsOn"?)',
      'steps[1].retry.maxAttempts | load | retry.maxAttempts must be an integer between 1 and 100 (got 0)',
      'steps[1].retry.backoffFactor | load | retry.backoffFactor must be a number between 1 and 100 (got 0.5)',
      'steps[1].timeoutMs | load | timeoutMs must be an integer between 1 and 2147483647 (got -1)',
      'steps[2].id | load | id "load" is already used by steps[1]',
      'steps[3] |  | steps[3] must be a mapping with id and job (got "publish")',
    ]);
  });

  it('checks parameter defaults against each type', () => {
    const param = (type: string, value: unknown): unknown => ({ name: 'p', type, default: value });
    const bad: [string, unknown][] = [
      ['string', 5],
      ['integer', 1.5],
      ['number', '1.5'],
      ['boolean', 'yes'],
      ['date', '2024-02-30'],
      ['date', '24-01-01'],
    ];
    for (const [type, value] of bad) {
      const issues = issuesOf(() => validateWorkflow({ ...minimal, parameters: [param(type, value)] }));
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('parameters[0].default');
    }
    const good: [string, unknown][] = [
      ['string', 'x'],
      ['integer', -3],
      ['number', 0.5],
      ['boolean', false],
      ['date', '2024-02-29'],
      ['json', { a: [1, null] }],
    ];
    for (const [type, value] of good) {
      expect(validateWorkflow({ ...minimal, parameters: [param(type, value)] }).parameters[0]!.default).toEqual(value);
    }
  });

  it('refuses a required parameter with a default, and duplicate parameter names', () => {
    const issues = issuesOf(() =>
      validateWorkflow({
        ...minimal,
        parameters: [
          { name: 'day', type: 'date', required: true, default: '2024-01-01' },
          { name: 'day', type: 'string' },
        ],
      }),
    );
    expect(issues.map((i) => i.message)).toEqual([
      'parameter "day": required: true and a default contradict each other (the default would never be used); remove one',
      'parameter "day": parameter "day" is declared twice',
    ]);
  });

  it('checks ${params.x} and ${steps.y.outputs.k} references', () => {
    const issues = issuesOf(() =>
      validateWorkflow({
        name: 'refs',
        parameters: [{ name: 'run_date', type: 'date' }],
        steps: [
          { id: 'a', job: 'j', params: { day: '${params.run_dat}', bad: '${param.run_date}', open: 'x ${params.run_date' } },
          { id: 'b', job: 'j' },
          { id: 'c', job: 'j', dependsOn: ['a'], params: { ok: '${steps.a.outputs.rows}', side: '${steps.b.outputs.rows}', gone: '${steps.zz.outputs.k}' } },
          { id: 'd', job: 'j', dependsOn: ['c'], params: { transitive: '${ steps.a.outputs.rows }', literal: '$${params.nothing}' } },
        ],
      }),
    );
    expect(issues.map((i) => `${i.stepId}: ${i.message}`)).toEqual([
      'a: params.bad: unknown reference "${param.run_date}": expected ${params.<name>} or ${steps.<id>.outputs.<key>} (write $${ for a literal "${")',
      'a: params.open: unterminated reference "${params.run_date": expected ${params.<name>} or ${steps.<id>.outputs.<key>} (write $${ for a literal "${")',
      'a: params.day references undeclared parameter "run_dat" in ${params.run_dat} (did you mean "run_date"?)',
      'c: params.side references step "b" in ${steps.b.outputs.rows}, which is not upstream of "c" (add it to dependsOn)',
      'c: params.gone references unknown step "zz" in ${steps.zz.outputs.k}',
    ]);
  });

  it('asks ctx whether each job (and pinned version) exists', () => {
    const catalog: Record<string, number[]> = { 'extract-orders': [1, 2] };
    const jobExists = (name: string, version?: number): boolean => catalog[name] !== undefined && (version === undefined || catalog[name].includes(version));
    const issues = issuesOf(() =>
      validateWorkflow(
        {
          name: 'jobs',
          steps: [
            { id: 'a', job: 'extract-orders' },
            { id: 'b', job: 'extract-orders', jobVersion: 2 },
            { id: 'c', job: 'extract-orders', jobVersion: 7 },
            { id: 'd', job: 'load-orders' },
          ],
        },
        { jobExists },
      ),
    );
    expect(issues).toEqual([
      { path: 'steps[2].jobVersion', stepId: 'c', message: 'job "extract-orders" has no version 7' },
      { path: 'steps[3].job', stepId: 'd', message: 'unknown job "load-orders"' },
    ]);
  });

  it('refuses an on_failure step with nothing upstream, an empty step list, and a retry whose cap is below its first delay', () => {
    expect(issuesOf(() => validateWorkflow({ name: 'x', steps: [{ id: 'a', job: 'j', condition: 'on_failure' }] }))[0]!.message).toBe(
      'condition on_failure needs an upstream step in dependsOn (it runs when one fails)',
    );
    expect(issuesOf(() => validateWorkflow({ name: 'x', steps: [] }))[0]!.message).toBe('steps must list at least one step');
    expect(issuesOf(() => validateWorkflow({ name: 'x', steps: [{ id: 'a', job: 'j', retry: { initialDelayMs: 600_000 } }] }))[0]!.message).toBe(
      'retry.maxDelayMs (300000) must not be less than retry.initialDelayMs (600000); the default maxDelayMs is 300000, set a larger one',
    );
  });

  it('refuses input that is not a mapping, or lacks name and steps', () => {
    expect(issuesOf(() => validateWorkflow('daily'))).toEqual([{ path: '', message: 'a workflow must be a mapping with name and steps (got "daily")' }]);
    expect(issuesOf(() => validateWorkflow({})).map((i) => i.message)).toEqual(['name is required', 'steps is required']);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
