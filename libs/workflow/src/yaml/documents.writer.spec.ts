import { readFileSync } from 'node:fs';
import { validateJob } from '../job.validator';
import { validateWorkflow } from '../workflow.validator';
import { parseDocuments } from './documents.parser';
import { toYaml, toYamlDocuments } from './documents.writer';

const fixture = readFileSync(`${__dirname}/../__fixtures__/pipeline.yaml`, 'utf8');

describe('toYaml / toYamlDocuments', () => {
  it('is round-trip stable on the pipeline fixture: parse -> write -> parse -> write gives the same text', () => {
    const first = toYamlDocuments(parseDocuments(fixture));
    const reparsed = parseDocuments(first);
    expect(toYamlDocuments(reparsed)).toBe(first);
    // ...and the model survives the trip unchanged (the writer only sorts free-form keys).
    const original = parseDocuments(fixture);
    const byName = <T extends { name: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(reparsed.jobs)).toEqual(byName(original.jobs));
    expect(reparsed.workflows).toEqual(original.workflows);
  });

  it('gives toYaml(parse(toYaml(x))) === toYaml(x) for each document', () => {
    const { jobs, workflows } = parseDocuments(fixture);
    for (const doc of [...jobs, ...workflows]) {
      const text = toYaml(doc);
      const again = parseDocuments(text);
      expect(toYaml([...again.jobs, ...again.workflows][0]!)).toBe(text);
    }
  });

  it('does not depend on the key order a store hands back (export -> apply -> export)', () => {
    const wf = parseDocuments(fixture).workflows[0]!;
    const shuffled = JSON.parse(JSON.stringify(wf), function (this: unknown, _key: string, value: unknown) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).reverse());
    }) as typeof wf;
    expect(toYaml(shuffled)).toBe(toYaml(wf));
    const job = parseDocuments(fixture).jobs[1]!;
    expect(toYaml({ ...job, config: Object.fromEntries(Object.entries(job.config).reverse()) })).toBe(toYaml(job));
  });

  it('writes a canonical document: fixed key order, defaults left out', () => {
    const wf = validateWorkflow({
      steps: [
        { params: { b: '2', a: '1' }, condition: 'on_success', retry: { maxDelayMs: 300_000, maxAttempts: 2 }, job: 'extract', id: 'extract' },
        { job: 'load', id: 'load', dependsOn: ['extract'], condition: 'always' },
      ],
      concurrency: { overlap: 'allow' },
      parameters: [{ type: 'date', name: 'day', required: false }],
      name: 'daily',
    });
    expect(toYaml(wf)).toBe(
      [
        'apiVersion: flowforge.io/v1',
        'kind: Workflow',
        'metadata:',
        '  name: daily',
        'spec:',
        '  parameters:',
        '    - name: day',
        '      type: date',
        '  steps:',
        '    - id: extract',
        '      job: extract',
        '      retry:',
        '        maxAttempts: 2',
        '      params:',
        '        a: "1"',
        '        b: "2"',
        '    - id: load',
        '      job: load',
        '      dependsOn: [extract]',
        '      condition: always',
        '',
      ].join('\n'),
    );
  });

  it('writes a job with its config, and a job without config without it', () => {
    expect(toYaml(validateJob({ name: 'notify', type: 'noop' }))).toBe(
      'apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: notify\nspec:\n  type: noop\n',
    );
  });

  it('puts jobs first, then workflows, each sorted by name, separated by ---', () => {
    const job = (name: string) => validateJob({ name, type: 'noop' });
    const wf = (name: string) => validateWorkflow({ name, steps: [{ id: 'a', job: 'j' }] });
    const text = toYamlDocuments({ jobs: [job('b'), job('a')], workflows: [wf('z'), wf('m')] });
    const names = text.split('---\n').map((d) => /kind: (\w+)\nmetadata:\n {2}name: (\S+)/.exec(d)!.slice(1).join(' '));
    expect(names).toEqual(['Job a', 'Job b', 'Workflow m', 'Workflow z']);
    expect(parseDocuments(text).workflows.map((w) => w.name)).toEqual(['m', 'z']);
  });

  it('keeps text that looks like another type as text (quoted)', () => {
    const wf = validateWorkflow({
      name: 'quoting',
      parameters: [{ name: 'n', type: 'string', default: '007' }],
      steps: [{ id: 'a', job: 'j', params: { flag: 'true', num: '1e3', empty: '', multi: 'line 1\nline 2' } }],
    });
    const text = toYaml(wf);
    expect(parseDocuments(text).workflows[0]).toEqual(wf);
  });

  it('writes schedules and triggers after the workflows, sorted by name, workflow first and the spec keys sorted; round-trip stable', () => {
    const text = [
      fixture.trimEnd(),
      '---',
      'apiVersion: flowforge.io/v1',
      'kind: Trigger',
      'metadata: {name: b-hook}',
      'spec: {type: webhook, workflow: daily-sales, config: {maxBytes: 1024, auth: hmac}}',
      '---',
      'apiVersion: flowforge.io/v1',
      'kind: Schedule',
      'metadata: {name: nightly}',
      'spec: {timezone: UTC, cron: "0 2 * * *", workflow: daily-sales}',
    ].join('\n');
    const first = toYamlDocuments(parseDocuments(text));
    expect(toYamlDocuments(parseDocuments(first))).toBe(first);
    const tail = first.split('---\n').slice(-2);
    expect(tail[0]).toBe(
      'apiVersion: flowforge.io/v1\nkind: Schedule\nmetadata:\n  name: nightly\nspec:\n  workflow: daily-sales\n  cron: 0 2 * * *\n  timezone: UTC\n',
    );
    expect(tail[1]).toBe(
      'apiVersion: flowforge.io/v1\nkind: Trigger\nmetadata:\n  name: b-hook\nspec:\n  workflow: daily-sales\n  config:\n    auth: hmac\n    maxBytes: 1024\n  type: webhook\n',
    );
  });
});
