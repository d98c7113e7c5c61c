import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';
import { RunStore } from './run.store';

describe('RunStore.lock: the engine clock', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_clock');
    h = await startOrchestrator(db.url);
    const wf = 'apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: once\nspec:\n  steps:\n    - { id: a, job: noop }\n';
    expect((await h.apply(`${BUILTIN_JOBS}---\n${wf}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  // Every time the engine writes (attempt started/finished, leases, retry due times) is this `now`: read
  // before the wait, a handler that queued behind another for a second would date its changes a second
  // early — an attempt finishing before it started, a lease cut short.
  it('is read when the row lock is granted, not when the transaction started waiting for it', async () => {
    const { id } = await h.waitRun((await h.createRun('once')).id);
    const holder = await h.pool.connect();
    const waiter = await h.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM ff_orchestrator.runs WHERE id = $1 FOR UPDATE', [id]);
      await waiter.query('BEGIN');
      const waiting = new RunStore().lock(waiter, id);
      await new Promise((r) => setTimeout(r, 700));
      const { rows } = await holder.query<{ t: Date }>('SELECT clock_timestamp() AS t');
      await holder.query('COMMIT');
      const locked = await waiting;
      expect(locked?.run.id).toBe(id);
      expect(locked!.now.getTime()).toBeGreaterThanOrEqual(rows[0]!.t.getTime());
      await waiter.query('COMMIT');
    } finally {
      holder.release();
      waiter.release();
    }
  });
});
