import { readFileSync } from 'node:fs';
import { formatIssueWithColumn, WorkflowValidationError } from '../workflow.errors';
import { parseDocuments } from './documents.parser';

const fixture = readFileSync(`${__dirname}/../__fixtures__/pipeline.yaml`, 'utf8');

function thrown(fn: () => unknown): WorkflowValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowValidationError);
    return err as WorkflowValidationError;
  }
  throw new Error('expected a WorkflowValidationError');
}

/** Numbered lines make the expected positions below checkable by eye. */
const numbered = (lines: string[]): string => lines.join('\n') + '\n';

describe('parseDocuments', () => {
  it('reads the jobs and the workflow of the pipeline fixture', () => {
    const { jobs, workflows } = parseDocuments(fixture);
    expect(jobs.map((j) => j.name)).toEqual(['extract-orders', 'extract-customers', 'load-sales', 'check-sales', 'notify']);
    expect(jobs[0]!.config.query).toBe('SELECT *\nFROM orders\nWHERE created_at::date = :run_date\n');
    expect(workflows).toHaveLength(1);
    const wf = workflows[0]!;
    expect(wf.name).toBe('daily-sales');
    expect(wf.tags).toEqual(['sales', 'daily']);
    expect(wf.concurrency).toEqual({ maxRuns: 1, overlap: 'queue' });
    expect(wf.parameters.map((p) => p.type)).toEqual(['date', 'integer', 'number', 'boolean', 'string', 'json']);
    expect(wf.parameters[5]!.default).toEqual({ status: ['paid', 'shipped'], min_amount: 10 });
    expect(wf.steps.map((s) => [s.id, s.condition, s.dependsOn])).toEqual([
      ['extract_orders', 'on_success', []],
      ['extract_customers', 'on_success', []],
      ['load', 'on_success', ['extract_orders', 'extract_customers']],
      ['check', 'on_success', ['load']],
      ['alert', 'on_failure', ['check']],
      ['cleanup', 'always', ['check']],
    ]);
    expect(wf.steps[0]!.retry).toEqual({ maxAttempts: 3, initialDelayMs: 2000, backoffFactor: 3, maxDelayMs: 300_000 });
  });

  it('names the line and column of a dependsOn entry that points at an unknown step', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v1', //   1
      'kind: Workflow', //                2
      'metadata:', //                     3
      '  name: daily', //                 4
      'spec:', //                         5
      '  steps:', //                      6
      '    - id: extract', //             7
      '      job: extract-orders', //     8
      '    - id: clean', //               9
      '      job: clean-orders', //      10
      '    - id: load', //               11
      '      job: load-orders', //       12
      '      dependsOn:', //             13
      '        - extrct', //             14
      '        - clean', //              15
    ]);
    const err = thrown(() => parseDocuments(text));
    expect(err.code).toBe('FF_WORKFLOW_INVALID');
    expect(err.issues).toEqual([
      {
        path: 'spec.steps[2].dependsOn[0]',
        stepId: 'load',
        message: 'depends on unknown step "extrct" (did you mean "extract"?)',
        line: 14,
        column: 11,
      },
    ]);
    expect(err.message).toBe('line 14: step "load": depends on unknown step "extrct" (did you mean "extract"?)');
    expect(formatIssueWithColumn(err.issues[0]!)).toBe('line 14, column 11: step "load": depends on unknown step "extrct" (did you mean "extract"?)');
  });

  it('locates every issue of a file: values, unknown keys, missing fields, in line order', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v1', //           1
      'kind: Workflow', //                        2
      'metadata:', //                             3
      '  name: daily', //                         4
      'spec:', //                                 5
      '  parameters:', //                         6
      '    - name: limit', //                     7
      '      type: integr', //                    8
      '  steps:', //                              9
      '    - id: a', //                          10
      '      job: j', //                         11
      '      dependsOn: [c]', //                 12
      '      retries: 3', //                     13
      '    - id: b', //                          14
      '      dependsOn: [a]', //                 15
      '    - id: c', //                          16
      '      job: j', //                         17
      '      dependsOn: [b]', //                 18
    ]);
    const err = thrown(() => parseDocuments(text));
    expect(err.issues.map((i) => `${i.line}:${i.column} ${i.stepId ?? '-'} ${i.message}`)).toEqual([
      '8:13 - parameter "limit": type must be one of string, integer, number, boolean, date, json (got "integr"); did you mean "integer"?',
      '12:19 - cycle: a -> b -> c -> a',
      '13:7 a unknown field "retries" (did you mean "retry"?)',
      '14:7 b job is required',
    ]);
  });

  it('counts jobs defined in the same file as existing, and asks ctx about the others', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v1',
      'kind: Workflow',
      'metadata: {name: daily}',
      'spec:',
      '  steps:',
      '    - {id: a, job: local-job}',
      '    - {id: b, job: catalog-job, dependsOn: [a]}',
      '    - {id: c, job: missing-job, dependsOn: [a]}',
      '---',
      'apiVersion: flowforge.io/v1',
      'kind: Job',
      'metadata: {name: local-job}',
      'spec: {type: noop}',
    ]);
    const jobExists = (name: string): boolean => name === 'catalog-job';
    const err = thrown(() => parseDocuments(text, { jobExists }));
    expect(err.issues).toEqual([{ path: 'spec.steps[2].job', stepId: 'c', message: 'unknown job "missing-job"', line: 8, column: 20 }]);
    const ok = parseDocuments(text.replace('missing-job', 'local-job'), { jobExists });
    expect(ok.jobs).toEqual([{ name: 'local-job', type: 'noop', config: {} }]);
    expect(ok.workflows[0]!.steps.map((s) => s.job)).toEqual(['local-job', 'catalog-job', 'local-job']);
  });

  it('reports a YAML syntax error with its line and column, as FF_YAML_INVALID', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v1', // 1
      'kind: Workflow', //              2
      'metadata:', //                   3
      '  name: daily', //               4
      'spec:', //                       5
      '  steps:', //                    6
      '    - id: a', //                 7
      '      job: j: k', //             8
    ]);
    const err = thrown(() => parseDocuments(text));
    expect(err.code).toBe('FF_YAML_INVALID');
    expect(err.issues[0]).toMatchObject({ line: 8, column: 12 });
    expect(err.message).toMatch(/^line 8: YAML error: Nested mappings are not allowed in compact mappings/);
  });

  it('reports duplicate keys as syntax errors', () => {
    const err = thrown(() => parseDocuments('apiVersion: flowforge.io/v1\nkind: Job\nkind: Job\n'));
    expect(err.code).toBe('FF_YAML_INVALID');
    expect(err.issues[0]).toMatchObject({ line: 3, column: 1 });
  });

  it('refuses documents that are not FlowForge Jobs or Workflows', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v2', //  1
      'kind: Pipeline', //               2
      'metadata: {name: x}', //          3
      'spec: {}', //                     4
      '---', //                          5
      '- just a list', //                6
      '---', //                          7
      'apiVersion: flowforge.io/v1', //  8
      'kind: Job', //                    9
      'metadata: {name: x, tags: [a]}', // 10
      'spec: {name: y, type: noop}', // 11
    ]);
    const err = thrown(() => parseDocuments(text));
    expect(err.code).toBe('FF_YAML_INVALID');
    expect(err.issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      '1:13 apiVersion must be flowforge.io/v1 (got "flowforge.io/v2")',
      '2:7 kind must be one of Job, Workflow, Schedule, Trigger (got "Pipeline")',
      '6:1 document 2 must be a mapping with apiVersion, kind, metadata and spec (got a list)',
      '10:21 unknown field "metadata.tags"',
      '11:8 spec.name belongs in metadata (metadata.name)',
    ]);
  });

  it('reads schedules and triggers declared beside their workflow: name, workflow and the spec as written', () => {
    const text = [
      'apiVersion: flowforge.io/v1',
      'kind: Schedule',
      'metadata: {name: nightly, description: every night}',
      'spec:',
      '  workflow: daily-sales',
      '  cron: "0 2 * * *"',
      '  timezone: Europe/Berlin',
      '  params: {region: eu}',
      '---',
      'apiVersion: flowforge.io/v1',
      'kind: Trigger',
      'metadata: {name: orders-hook}',
      'spec: {workflow: daily-sales, type: webhook, config: {auth: hmac}}',
    ].join('\n');
    const parsed = parseDocuments(text);
    expect(parsed.schedules).toEqual([
      {
        kind: 'Schedule',
        name: 'nightly',
        description: 'every night',
        workflow: 'daily-sales',
        spec: { workflow: 'daily-sales', cron: '0 2 * * *', timezone: 'Europe/Berlin', params: { region: 'eu' } },
      },
    ]);
    expect(parsed.triggers).toEqual([
      { kind: 'Trigger', name: 'orders-hook', workflow: 'daily-sales', spec: { workflow: 'daily-sales', type: 'webhook', config: { auth: 'hmac' } } },
    ]);
  });

  it('refuses a schedule or trigger without a workflow, with a bad name, or twice, naming line and field', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v1', //           1
      'kind: Schedule', //                        2
      'metadata: {name: Nightly!}', //            3
      'spec: {cron: "0 2 * * *"}', //             4
      '---', //                                   5
      'apiVersion: flowforge.io/v1', //           6
      'kind: Trigger', //                         7
      'metadata: {name: t1}', //                  8
      'spec: {workflow: 42, type: webhook}', //   9
      '---', //                                   10
      'apiVersion: flowforge.io/v1', //           11
      'kind: Trigger', //                         12
      'metadata: {name: t2, tags: [x]}', //        13
      'spec: {workflow: w, type: kafka}', //      14
      '---', //                                   15
      'apiVersion: flowforge.io/v1', //           16
      'kind: Trigger', //                         17
      'metadata: {name: t2}', //                  18
      'spec: {workflow: w, type: kafka}', //      19
    ]);
    const err = thrown(() => parseDocuments(text));
    expect(err.code).toBe('FF_YAML_INVALID');
    expect(err.issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^3 metadata\.name: schedule name: use lower-case .*; got "Nightly!"$/),
      '4 spec.workflow: workflow is required: the workflow the schedule runs',
      expect.stringMatching(/^9 spec\.workflow: workflow must name the workflow the trigger runs \(.*\); got 42$/),
      '13 metadata.tags: unknown field "metadata.tags"',
      '18 metadata.name: trigger "t2" is defined twice in this file (first at line 13)',
    ]);
  });

  it('points a missing field at its enclosing key', () => {
    const text = 'apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  description: no name\nspec:\n  steps: [{id: a, job: j}]\n';
    const err = thrown(() => parseDocuments(text));
    expect(err.issues).toEqual([{ path: 'metadata.name', message: 'name is required', line: 3, column: 1 }]);
  });

  it('refuses the same name twice in one file', () => {
    const job = (name: string): string => `apiVersion: flowforge.io/v1\nkind: Job\nmetadata: {name: ${name}}\nspec: {type: noop}\n`;
    const err = thrown(() => parseDocuments([job('a'), job('b'), job('a')].join('---\n')));
    expect(err.code).toBe('FF_JOB_INVALID');
    expect(err.issues).toEqual([{ path: 'metadata.name', message: 'job "a" is defined twice in this file (first at line 3)', line: 13, column: 18 }]);
  });

  it('resolves anchors and aliases, and treats an empty `default:` as no default', () => {
    const text = numbered([
      'apiVersion: flowforge.io/v1',
      'kind: Workflow',
      'metadata: {name: anchors}',
      'spec:',
      '  parameters:',
      '    - name: day',
      '      type: date',
      '      default:',
      '  steps:',
      '    - id: a',
      '      job: j',
      '      retry: &retry {maxAttempts: 4, initialDelayMs: 10}',
      '    - id: b',
      '      job: j',
      '      retry: *retry',
    ]);
    const wf = parseDocuments(text).workflows[0]!;
    expect(wf.parameters).toEqual([{ name: 'day', type: 'date' }]);
    expect(wf.steps[1]!.retry).toEqual({ maxAttempts: 4, initialDelayMs: 10, backoffFactor: 2, maxDelayMs: 300_000 });
  });

  it('reads nothing from an empty file or empty documents', () => {
    expect(parseDocuments('')).toEqual({ jobs: [], workflows: [], schedules: [], triggers: [] });
    expect(parseDocuments('# only a comment\n---\n')).toEqual({ jobs: [], workflows: [], schedules: [], triggers: [] });
  });

  it('checks job config against the type schema with the line of the field', () => {
    const text = 'apiVersion: flowforge.io/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  type: ingest.file\n  config:\n    path: 42\n';
    const schema = { type: 'object', properties: { path: { type: 'string' } } };
    const err = thrown(() => parseDocuments(text, { jobConfigSchema: () => schema }));
    expect(err.issues).toEqual([{ path: 'spec.config.path', message: 'config.path must be string', line: 7, column: 11 }]);
  });
});
