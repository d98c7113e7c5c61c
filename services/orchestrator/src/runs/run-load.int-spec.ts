import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BUILTIN_JOBS, isFinal, startOrchestrator, waitFor, type OrchestratorHarness } from '../../test/orchestrator.harness';

const WORKFLOW =
  'apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: pair\nspec:\n  steps:\n    - { id: a, job: noop }\n    - { id: b, job: noop, dependsOn: [a] }\n';

/**
 * Many runs at once: run creation (HTTP), the executor's answers and the step handlers all publish to
 * the same bus partitions while locking runs. Every request must get its run (a deadlock victim is
 * retried, never a 500) and every run must finish once.
 */
describe('runs under concurrent load', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_load');
    h = await startOrchestrator(db.url);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${WORKFLOW}`)).status).toBe(200);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  it('creates 120 two-step runs requested 24 at a time, and each succeeds with one attempt per step', async () => {
    const ids: string[] = [];
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        for (let i = 0; i < 5; i++) {
          const res = await h.api<{ id: string }>('POST', '/internal/orchestrator/runs', { workflow: 'pair' });
          statuses.push(res.status);
          if (res.status === 201) ids.push(res.body.id);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    await waitFor(
      'every run to finish',
      async () => {
        const { rows } = await h.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ff_orchestrator.runs WHERE id = ANY($1::uuid[]) AND state = 'succeeded'`,
          [ids],
        );
        return rows[0]!.n === ids.length ? true : undefined;
      },
      60_000,
    );
    const { rows: attempts } = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ff_orchestrator.step_attempts WHERE run_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(attempts[0]!.n).toBe(ids.length * 2);
    // Each run's history was told once: queued, running, succeeded.
    const { rows: events } = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ff_orchestrator.run_transitions WHERE run_id = ANY($1::uuid[]) AND step_id IS NULL`,
      [ids],
    );
    expect(events[0]!.n).toBe(ids.length * 3);
    expect(isFinal(await h.getRun(ids[0]!))).toBe(true);
  });
});
