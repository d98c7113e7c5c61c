import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';

interface Problem {
  status: number;
  code: string;
  detail: string;
}

const workflowYaml = (name: string, job: string): string =>
  `apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: ${name}\nspec:\n  steps:\n    - { id: only, job: ${job} }\n`;

/** Audit entries of `action` on `id` published to the bus (Avro strings are plain UTF-8 in the payload). */
async function audited(h: OrchestratorHarness, action: string, id: string): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.audit.recorded'
       AND position(convert_to($1, 'UTF8') IN payload) > 0 AND position(convert_to($2, 'UTF8') IN payload) > 0`,
    [action, id],
  );
  return rows[0]!.n;
}

describe('definitions: soft delete of workflows and jobs', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_delete');
    h = await startOrchestrator(db.url);
    expect((await h.apply(BUILTIN_JOBS)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('deletes a workflow: gone from get, versions, list and export, audited, and the name can be created again', async () => {
    expect((await h.apply(workflowYaml('gone-wf', 'noop'))).status).toBe(200);
    expect((await h.apply(workflowYaml('gone-wf', 'nap'))).status).toBe(200);
    const run = await h.createRun('gone-wf');
    await h.waitRun(run.id);

    const del = await h.api('DELETE', '/internal/orchestrator/workflows/gone-wf');
    expect(del.status).toBe(204);
    expect((await h.api<Problem>('GET', '/internal/orchestrator/workflows/gone-wf')).body.code).toBe('FF_WORKFLOW_NOT_FOUND');
    expect((await h.api('GET', '/internal/orchestrator/workflows/gone-wf/versions')).status).toBe(404);
    expect((await h.api('GET', '/internal/orchestrator/workflows/gone-wf/versions/1')).status).toBe(404);
    const list = await h.api<{ items: { name: string }[] }>('GET', '/internal/orchestrator/workflows');
    expect(list.body.items.map((w) => w.name)).not.toContain('gone-wf');
    expect((await h.api('GET', '/internal/orchestrator/workflows/export?workflow=gone-wf')).status).toBe(404);
    expect(await audited(h, 'workflow:delete', 'gone-wf')).toBe(1);
    // No run of a deleted workflow, and a second delete finds nothing.
    const refused = await h.api<Problem>('POST', '/internal/orchestrator/runs', { workflow: 'gone-wf', params: {} });
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('FF_WORKFLOW_NOT_FOUND');
    expect((await h.api<Problem>('DELETE', '/internal/orchestrator/workflows/gone-wf')).status).toBe(404);
    // The finished run keeps its pinned version, but cannot be rerun: its workflow is gone.
    expect((await h.getRun(run.id)).workflowVersion).toBe(2);
    const rerunGone = await h.api<Problem>('POST', `/internal/orchestrator/runs/${run.id}/rerun`, { fromStep: 'only' });
    expect(rerunGone.status).toBe(409);
    expect(rerunGone.body.code).toBe('FF_WORKFLOW_NOT_FOUND');
    expect(rerunGone.body.detail).toContain('"gone-wf" was deleted');

    // The name is free again: the new workflow continues the version numbers, so old runs keep their rows.
    const again = await h.api<{ status: string; workflow: { version: number } }>('PUT', '/internal/orchestrator/workflows/gone-wf', {
      steps: [{ id: 'only', job: 'noop' }],
    });
    expect(again.status).toBe(201);
    expect(again.body.status).toBe('created');
    expect(again.body.workflow.version).toBe(3);
    const versions = await h.api<{ items: { version: number }[] }>('GET', '/internal/orchestrator/workflows/gone-wf/versions');
    expect(versions.body.items.map((v) => v.version)).toEqual([3]);
    expect(await audited(h, 'workflow:create', 'gone-wf')).toBe(2);
    const rerun = await h.createRun('gone-wf');
    expect((await h.waitRun(rerun.id)).state).toBe('succeeded');
  });

  it('refuses to delete a workflow while a run of it is active (409), and deletes it once the run is over', async () => {
    expect((await h.apply(workflowYaml('busy-wf', 'long-sleep'))).status).toBe(200);
    const run = await h.createRun('busy-wf');
    await h.waitRun(run.id, (r) => r.state === 'running');
    const refused = await h.api<Problem>('DELETE', '/internal/orchestrator/workflows/busy-wf');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('FF_WORKFLOW_IN_USE');
    expect(refused.body.detail).toContain(run.id);
    expect((await h.api('GET', '/internal/orchestrator/workflows/busy-wf')).status).toBe(200);
    expect(await audited(h, 'workflow:delete', 'busy-wf')).toBe(0);

    expect((await h.api('POST', `/internal/orchestrator/runs/${run.id}/cancel`, { reason: 'test' })).status).toBeLessThan(300);
    await h.waitRun(run.id);
    expect((await h.api('DELETE', '/internal/orchestrator/workflows/busy-wf')).status).toBe(204);
  });

  it('refuses to delete a job the current version of a workflow uses, naming the workflows', async () => {
    expect((await h.apply(`apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: shared\nspec:\n  type: noop\n`)).status).toBe(200);
    expect((await h.apply(workflowYaml('user-b', 'shared'))).status).toBe(200);
    expect((await h.apply(workflowYaml('user-a', 'shared'))).status).toBe(200);
    const refused = await h.api<Problem>('DELETE', '/internal/orchestrator/jobs/shared');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('FF_JOB_IN_USE');
    expect(refused.body.detail).toContain('"user-a", "user-b"');

    // An older version of a workflow does not hold the job: only current versions count.
    expect((await h.apply(workflowYaml('user-a', 'noop'))).status).toBe(200);
    expect((await h.api('DELETE', '/internal/orchestrator/workflows/user-b')).status).toBe(204);
    expect((await h.api('DELETE', '/internal/orchestrator/jobs/shared')).status).toBe(204);
    expect((await h.api('GET', '/internal/orchestrator/jobs/shared')).status).toBe(404);
    const jobs = await h.api<{ items: { name: string }[] }>('GET', '/internal/orchestrator/jobs');
    expect(jobs.body.items.map((j) => j.name)).not.toContain('shared');
    expect(await audited(h, 'job:delete', 'shared')).toBe(1);
    // A workflow can no longer use it...
    const invalid = await h.api<Problem>('PUT', '/internal/orchestrator/workflows/user-c', { steps: [{ id: 'only', job: 'shared' }] });
    expect(invalid.status).toBe(400);
    // ...until the name is created again (version 2: numbering continues).
    const again = await h.api<{ job: { version: number } }>('PUT', '/internal/orchestrator/jobs/shared', { type: 'noop' });
    expect(again.status).toBe(201);
    expect(again.body.job.version).toBe(2);
  });

  it('refuses to delete a job while an active run uses it, though no current workflow does', async () => {
    expect((await h.apply(`apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: slow\nspec:\n  type: sleep\n  config: { ms: 60000 }\n`)).status).toBe(
      200,
    );
    expect((await h.apply(workflowYaml('slow-wf', 'slow'))).status).toBe(200);
    const run = await h.createRun('slow-wf');
    await h.waitRun(run.id, (r) => r.state === 'running');
    // The workflow moves on to another job; the running run still has a step of "slow".
    expect((await h.apply(workflowYaml('slow-wf', 'noop'))).status).toBe(200);
    const refused = await h.api<Problem>('DELETE', '/internal/orchestrator/jobs/slow');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('FF_JOB_IN_USE');
    expect(refused.body.detail).toContain(run.id);
    await h.api('POST', `/internal/orchestrator/runs/${run.id}/cancel`, {});
    await h.waitRun(run.id);
    expect((await h.api('DELETE', '/internal/orchestrator/jobs/slow')).status).toBe(204);
  });

  it('the database refuses a run of a deleted workflow or job, whoever inserts it', async () => {
    expect((await h.apply(workflowYaml('raced', 'noop'))).status).toBe(200);
    const { rows } = await h.pool.query<{ spec: unknown }>(`SELECT spec FROM ff_orchestrator.workflows WHERE name = 'raced'`);
    expect((await h.api('DELETE', '/internal/orchestrator/workflows/raced')).status).toBe(204);
    await expect(
      h.pool.query(
        `INSERT INTO ff_orchestrator.runs (id, workflow_name, workflow_version, spec, params, state, requested_by)
         VALUES (gen_random_uuid(), 'raced', 1, $1::jsonb, '{}', 'queued', 'test')`,
        [JSON.stringify(rows[0]!.spec)],
      ),
    ).rejects.toThrow(/FF_WORKFLOW_NOT_FOUND/);
  });

  it('a workflow saved while a job it uses is being deleted waits for the delete, then is refused naming the step', async () => {
    expect((await h.api('PUT', '/internal/orchestrator/jobs/doomed', { type: 'noop' })).status).toBe(201);
    // A delete in flight, as deleteJob does it: the job's lock, the rows marked, not committed yet.
    const del = await h.pool.connect();
    try {
      await del.query('BEGIN');
      await del.query(`SELECT pg_advisory_xact_lock(hashtext('ff-orchestrator:job:doomed'))`);
      await del.query(`UPDATE ff_orchestrator.jobs SET deleted_at = now() WHERE name = 'doomed'`);
      let settled = false;
      const save = h.api<Problem & { errors: { field: string; message: string }[] }>('PUT', '/internal/orchestrator/workflows/uses-doomed', {
        steps: [{ id: 'x', job: 'doomed' }],
      });
      void save.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await del.query('COMMIT');
      const res = await save;
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('FF_WORKFLOW_INVALID');
      expect(res.body.errors).toEqual([{ field: 'steps[0].job', message: expect.stringContaining('job "doomed" was deleted meanwhile') }]);
    } finally {
      del.release();
    }
    expect((await h.api('GET', '/internal/orchestrator/workflows/uses-doomed')).status).toBe(404);
  });

  it('answers 404 for a name that never existed', async () => {
    expect((await h.api<Problem>('DELETE', '/internal/orchestrator/workflows/never')).body.code).toBe('FF_WORKFLOW_NOT_FOUND');
    expect((await h.api<Problem>('DELETE', '/internal/orchestrator/jobs/never')).body.code).toBe('FF_JOB_NOT_FOUND');
  });
});
