import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';
import { RunFeedRetention } from './run-feed.retention';

const WORKFLOW = `apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: kept\nspec:\n  steps:\n    - { id: a, job: nap }\n    - { id: b, job: nap, dependsOn: [a] }\n`;
const LONG = `apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: long\nspec:\n  steps:\n    - { id: a, job: long-sleep }\n`;

async function feedRows(h: OrchestratorHarness, runId: string): Promise<{ logs: number; transitions: number }> {
  const { rows } = await h.pool.query<{ logs: number; transitions: number }>(
    `SELECT (SELECT count(*)::int FROM ff_orchestrator.run_logs WHERE run_id = $1) AS logs,
            (SELECT count(*)::int FROM ff_orchestrator.run_transitions WHERE run_id = $1) AS transitions`,
    [runId],
  );
  return rows[0]!;
}

/** Moves a run's end (and its feed) `days` into the past, as if it had finished then. */
async function age(h: OrchestratorHarness, runId: string, days: number): Promise<void> {
  await h.pool.query(`UPDATE ff_orchestrator.runs SET finished_at = finished_at - make_interval(days => $2) WHERE id = $1`, [runId, days]);
}

describe('run feed retention (FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS)', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_retention');
    h = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS: '7' });
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOW}---\n${LONG}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('deletes the logs and transitions of runs finished before the cutoff, in bounded batches, and keeps the rest', async () => {
    const old = await Promise.all([h.createRun('kept'), h.createRun('kept'), h.createRun('kept')]);
    const recent = await h.createRun('kept');
    const active = await h.createRun('long');
    for (const r of [...old, recent]) expect((await h.waitRun(r.id)).state).toBe('succeeded');
    await h.waitRun(active.id, (r) => r.state === 'running');
    for (const r of old) await age(h, r.id, 8);
    await age(h, recent.id, 6);
    const olds = await Promise.all(old.map((r) => feedRows(h, r.id)));
    const before = olds[0]!;
    expect(before.transitions).toBeGreaterThan(2);
    expect(before.logs).toBeGreaterThan(0);
    const recentBefore = await feedRows(h, recent.id);
    const activeBefore = await feedRows(h, active.id);

    const retention = h.app.get(RunFeedRetention);
    // Tiny limits: one run per batch, two rows per DELETE, two batches per pass — the rest waits.
    const first = await retention.pruneOnce({ runsPerBatch: 1, rowsPerDelete: 2, batchesPerPass: 2 });
    expect(first.runs).toBe(2);
    const second = await retention.pruneOnce({ runsPerBatch: 1, rowsPerDelete: 2, batchesPerPass: 2 });
    expect(second.runs).toBe(1);
    expect(first.transitions + second.transitions).toBe(olds.reduce((n, f) => n + f.transitions, 0));
    expect(first.logs + second.logs).toBe(olds.reduce((n, f) => n + f.logs, 0));
    for (const r of old) expect(await feedRows(h, r.id)).toEqual({ logs: 0, transitions: 0 });
    // A pruned run is not scanned again; nothing left to do.
    expect(await retention.pruneOnce()).toEqual({ runs: 0, logs: 0, transitions: 0 });

    expect(await feedRows(h, recent.id)).toEqual(recentBefore);
    // The active run keeps running and may write more log lines meanwhile: nothing of its feed is gone.
    const activeAfter = await feedRows(h, active.id);
    expect(activeAfter.transitions).toBeGreaterThanOrEqual(activeBefore.transitions);
    expect(activeAfter.logs).toBeGreaterThanOrEqual(activeBefore.logs);
    // The run itself, its steps and attempts stay.
    const kept = await h.getRun(old[0]!.id);
    expect(kept.state).toBe('succeeded');
    expect(kept.steps?.map((s) => s.state)).toEqual(['succeeded', 'succeeded']);
    await h.api('POST', `/internal/orchestrator/runs/${active.id}/cancel`, {});
    await h.waitRun(active.id);
  });

  it('keeps everything when the retention is 0', async () => {
    const keepForever = await startOrchestrator(db.url, { FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS: '0' });
    try {
      const run = await keepForever.createRun('kept');
      await keepForever.waitRun(run.id);
      await age(keepForever, run.id, 10_000);
      const before = await feedRows(keepForever, run.id);
      expect(before.transitions).toBeGreaterThan(0);
      expect(await keepForever.app.get(RunFeedRetention).pruneOnce()).toEqual({ runs: 0, logs: 0, transitions: 0 });
      expect(await feedRows(keepForever, run.id)).toEqual(before);
    } finally {
      await keepForever.stop();
    }
  });
});
