import { ExecutorRegistered } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { jobYaml, startOrchestrator, waitFor, type OrchestratorHarness } from '../../test/orchestrator.harness';

const FILE = `${jobYaml('wait', 'sleep', { ms: 10 })}---
${jobYaml('nothing', 'noop')}---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: nightly
  description: Two steps, one parameter
  tags: [demo]
spec:
  parameters:
    - { name: day, type: date, required: true }
  concurrency: { maxRuns: 2, overlap: queue }
  steps:
    - id: first
      job: wait
      retry: { maxAttempts: 3 }
      params: { note: "day \${params.day}" }
    - { id: second, job: nothing, dependsOn: [first], condition: always }
`;

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

describe('definitions: versioned jobs and workflows, workflow-as-code', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_defs');
    h = await startOrchestrator(db.url);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('applies a multi-document file, and applying it again creates no version', async () => {
    const first = await h.apply(FILE);
    expect(first).toEqual({
      status: 200,
      body: {
        documents: [
          { kind: 'Job', name: 'wait', version: 1, status: 'created' },
          { kind: 'Job', name: 'nothing', version: 1, status: 'created' },
          { kind: 'Workflow', name: 'nightly', version: 1, status: 'created' },
        ],
      },
    });
    const again = await h.apply(FILE);
    expect((again.body as { documents: { status: string }[] }).documents.map((d) => d.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('exports canonical YAML: export -> apply -> export gives the same text and no new version', async () => {
    const exported = await h.api<string>('GET', '/internal/orchestrator/workflows/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/yaml');
    expect(exported.body).toContain('kind: Workflow');
    const applied = await h.apply(exported.body);
    expect((applied.body as { documents: { status: string }[] }).documents.every((d) => d.status === 'unchanged')).toBe(true);
    const again = await h.api<string>('GET', '/internal/orchestrator/workflows/export');
    expect(again.body).toBe(exported.body);
    const one = await h.api<string>('GET', '/internal/orchestrator/workflows/export?workflow=nightly');
    expect(one.body).toBe(exported.body); // every job is used by nightly
  });

  it('an edited document becomes the next version; older versions stay readable', async () => {
    const edited = FILE.replace('{ ms: 10 }', '{ ms: 20 }').replace(JSON.stringify({ ms: 10 }), JSON.stringify({ ms: 20 }));
    const res = await h.apply(edited);
    expect((res.body as { documents: unknown[] }).documents).toEqual([
      { kind: 'Job', name: 'wait', version: 2, status: 'updated' },
      { kind: 'Job', name: 'nothing', version: 1, status: 'unchanged' },
      { kind: 'Workflow', name: 'nightly', version: 1, status: 'unchanged' },
    ]);
    const v1 = await h.api<{ config: unknown }>('GET', '/internal/orchestrator/jobs/wait/versions/1');
    expect(v1.body.config).toEqual({ ms: 10 });
    const latest = await h.api<{ version: number; config: unknown }>('GET', '/internal/orchestrator/jobs/wait');
    expect(latest.body).toMatchObject({ version: 2, config: { ms: 20 } });
    const versions = await h.api<{ items: { version: number }[] }>('GET', '/internal/orchestrator/jobs/wait/versions');
    expect(versions.body.items.map((v) => v.version)).toEqual([2, 1]);
  });

  it('PUT creates a version only when the content changes (201, then 200)', async () => {
    const put = (body: unknown) => h.api<{ status: string; job: { version: number } }>('PUT', '/internal/orchestrator/jobs/solo', body);
    const created = await put({ type: 'sleep', config: { ms: 5 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'created', job: { version: 1 } });
    const same = await put({ config: { ms: 5 }, type: 'sleep' });
    expect(same.status).toBe(200);
    expect(same.body.status).toBe('unchanged');
    const changed = await put({ type: 'sleep', config: { ms: 6 }, description: 'longer' });
    expect(changed.body).toMatchObject({ status: 'updated', job: { version: 2 } });
    const wf = await h.api<{ status: string; workflow: { version: number } }>('PUT', '/internal/orchestrator/workflows/solo-flow', {
      steps: [{ id: 'only', job: 'solo', jobVersion: 1 }],
    });
    expect(wf.status).toBe(201);
    expect(wf.body.workflow.version).toBe(1);
  });

  it('bad YAML is a 400 problem naming the line', async () => {
    const res = await h.apply('apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: x\nspec:\n  type: noop\n  config: [unclosed\n');
    expect(res.status).toBe(400);
    const p = res.body as Problem;
    expect(p.code).toBe('FF_YAML_INVALID');
    expect(p.detail).toMatch(/line \d+/);
  });

  it('refuses Schedule and Trigger documents (the gateway applies those) and writes nothing of the file', async () => {
    const file = `${jobYaml('declared-job', 'noop')}---\napiVersion: flowforge.io/v1\nkind: Schedule\nmetadata: {name: nightly}\nspec: {workflow: w, cron: '0 2 * * *'}\n`;
    const res = await h.apply(file);
    expect(res.status).toBe(400);
    expect(res.body as Problem).toMatchObject({ code: 'FF_YAML_INVALID', detail: expect.stringContaining('Schedule "nightly"') });
    expect((await h.api('GET', '/internal/orchestrator/jobs/declared-job')).status).toBe(404);
  });

  it('a workflow error names the line and the step', async () => {
    const yaml = `apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: broken
spec:
  steps:
    - { id: a, job: nothing }
    - { id: b, job: nothing, dependsOn: [aa] }
`;
    const res = await fetch(`${h.base}/internal/orchestrator/workflows/apply`, {
      method: 'POST',
      headers: { ...h.internalHeaders, 'content-type': 'application/yaml' },
      body: yaml,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const p = (await res.json()) as Problem;
    expect(p.code).toBe('FF_WORKFLOW_INVALID');
    expect(p.detail).toContain('line 8');
    expect(p.detail).toContain('step "b"');
    expect(p.detail).toContain('unknown step "aa"');
    expect(p.errors?.[0]?.field).toBe('spec.steps[1].dependsOn[0]');
  });

  it('refuses an unknown job type, naming it, and writes nothing of the file', async () => {
    const res = await h.apply(`${jobYaml('fine', 'noop')}---\n${jobYaml('odd', 'teleport')}`);
    expect(res.status).toBe(400);
    const p = res.body as Problem;
    expect(p.code).toBe('FF_JOB_INVALID');
    expect(p.detail).toContain('unknown job type "teleport"');
    const fine = await h.api('GET', '/internal/orchestrator/jobs/fine');
    expect(fine.status).toBe(404);
  });

  it('refuses a config that does not fit its type schema, naming the field', async () => {
    const res = await h.api<Problem>('PUT', '/internal/orchestrator/jobs/bad-sleep', { type: 'sleep', config: { ms: 'soon' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('FF_JOB_INVALID');
    expect(res.body.detail).toContain('config.ms');
    expect(res.body.errors?.[0]?.field).toBe('config.ms');
    const missing = await h.api<Problem>('PUT', '/internal/orchestrator/jobs/bad-fail', { type: 'fail', config: { retryable: true } });
    expect(missing.body.detail).toContain('"message"');
  });

  it('refuses a body whose name differs from the URL, a reserved name, an unsupported media type', async () => {
    const mismatch = await h.api<Problem>('PUT', '/internal/orchestrator/jobs/a-job', { name: 'b-job', type: 'noop' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('FF_NAME_MISMATCH');
    const reserved = await h.api<Problem>('PUT', '/internal/orchestrator/workflows/export', { steps: [{ id: 'a', job: 'nothing' }] });
    expect(reserved.body.code).toBe('FF_WORKFLOW_NAME_RESERVED');
    const xml = await fetch(`${h.base}/internal/orchestrator/workflows/apply`, {
      method: 'POST',
      headers: { ...h.internalHeaders, 'content-type': 'application/xml' },
      body: '<x/>',
    });
    expect(xml.status).toBe(415);
    const json = await h.api<{ documents: unknown[] }>('POST', '/internal/orchestrator/workflows/apply', { yaml: jobYaml('via-json', 'noop') });
    expect(json.status).toBe(200);
    expect(json.body.documents).toEqual([{ kind: 'Job', name: 'via-json', version: 1, status: 'created' }]);
  });

  it('answers 404 problems for unknown jobs, workflows and versions', async () => {
    expect((await h.api<Problem>('GET', '/internal/orchestrator/jobs/nope')).body.code).toBe('FF_JOB_NOT_FOUND');
    expect((await h.api<Problem>('GET', '/internal/orchestrator/workflows/nope')).body.code).toBe('FF_WORKFLOW_NOT_FOUND');
    const v9 = await h.api<Problem>('GET', '/internal/orchestrator/workflows/nightly/versions/9');
    expect(v9.status).toBe(404);
    expect(v9.body.detail).toBe('workflow "nightly" has no version 9');
    const types = await h.api<{ items: { type: string; executor: string }[] }>('GET', '/internal/orchestrator/job-types');
    expect(types.body.items.map((t) => `${t.executor}:${t.type}`)).toEqual(['builtin:fail', 'builtin:noop', 'builtin:sleep']);
  });

  it('builds the job type registry from ExecutorRegistered: the newest version wins, bad announcements are skipped', async () => {
    const announce = (executor: string, jobTypes: { type: string; version: number; configSchema: string }[]) =>
      h.bus.publish(ExecutorRegistered, { executor, instanceId: 'i-1', jobTypes: jobTypes.map((t) => ({ ...t, description: null })) }, { key: executor });
    const schema = (required: string) => JSON.stringify({ type: 'object', required: [required] });
    await announce('quality', [
      { type: 'check.rows', version: 2, configSchema: schema('table') },
      { type: 'check.broken', version: 1, configSchema: '{not json' },
    ]);
    await announce('quality', [{ type: 'check.rows', version: 1, configSchema: schema('old') }]); // an older replica
    await announce('mystery', [{ type: 'mystery.job', version: 1, configSchema: '{}' }]); // no dispatch topic
    await announce('quality', [{ type: 'check.last', version: 1, configSchema: '{}' }]); // handled after the others
    await waitFor('the last announcement', async () => ((await h.api('GET', '/internal/orchestrator/job-types/check.last')).status === 200 ? true : undefined));
    const rows = await h.api<{ version: number; configSchema: unknown; executor: string }>('GET', '/internal/orchestrator/job-types/check.rows');
    expect(rows.body).toMatchObject({ version: 2, executor: 'quality', configSchema: { type: 'object', required: ['table'] } });
    expect((await h.api('GET', '/internal/orchestrator/job-types/check.broken')).status).toBe(404);
    const missing = await h.api<{ code: string }>('GET', '/internal/orchestrator/job-types/mystery.job');
    expect(missing.body.code).toBe('FF_JOB_TYPE_NOT_FOUND');
    const job = await h.api<{ code: string; detail: string }>('PUT', '/internal/orchestrator/jobs/rows-check', { type: 'check.rows', config: {} });
    expect(job.body.detail).toContain('"table"');
  });
});
