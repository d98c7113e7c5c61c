import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { AssetCommitted, type AssetCommittedEvent, type AssetLayer } from '@flowforge/contracts';
import { startScheduler, waitFor, type SchedulerHarness } from '../../test/scheduler.harness';
import type { FireView, ScheduleView } from './schedule.views';

const at = (iso: string): Date => new Date(iso);

/**
 * Conflict warnings between schedules of different workflows that write a same lake asset: the scheduler
 * learns who writes what from flowforge.asset.committed (real PostgreSQL, the real Postgres bus, the real
 * listeners), warns at PUT/GET and writes the warning into the history at fire time.
 */
describe('scheduler: conflicts between workflows writing the same asset (real PostgreSQL and bus)', () => {
  let db: TestDatabase;
  let h: SchedulerHarness;
  const ORDERS = randomUUID();
  const CUSTOMERS = randomUUID();
  const OTHER = randomUUID();
  // Runs the scheduler did not request (an API run of fix-orders, one of load-customers).
  const FIX_RUN = randomUUID();
  const CUSTOMERS_RUN = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('ff_sched_assets');
    h = await startScheduler(db.url);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const put = async (name: string, body: Record<string, unknown>): Promise<ScheduleView> => {
    const res = await h.api<ScheduleView>('PUT', `/internal/scheduler/schedules/${name}`, { overlap: 'allow', ...body });
    if (res.status !== 201 && res.status !== 200) throw new Error(`PUT ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const history = async (name: string): Promise<FireView[]> =>
    (await h.api<{ items: FireView[] }>('GET', `/internal/scheduler/schedules/${name}/history?limit=100`)).body.items.reverse();
  const commit = async (
    assetId: string,
    runId: string | null,
    table: { layer?: AssetLayer; namespace?: string; table: string },
    extra: Partial<AssetCommittedEvent> = {},
  ): Promise<void> => {
    await h.bus.publish(
      AssetCommitted,
      {
        assetId,
        layer: table.layer ?? 'silver',
        namespace: table.namespace ?? 'sales',
        table: table.table,
        snapshotId: randomUUID(),
        parentSnapshotId: null,
        rowCount: 10,
        runId,
        files: 1,
        inputs: [],
        sourceSnapshots: [],
        ...extra,
      },
      { key: assetId },
    );
  };
  type Row = { workflow: string; asset_id: string; layer: string; namespace: string; table_name: string; last_run_id: string; last_written_at: Date };
  const writers = async (): Promise<Row[]> => (await h.pool.query<Row>(`SELECT * FROM ff_scheduler.workflow_assets ORDER BY workflow, table_name`)).rows;
  const writerOf = (workflow: string, assetId: string) => async (): Promise<Row | undefined> =>
    (await writers()).find((r) => r.workflow === workflow && r.asset_id === assetId);
  const runKnown = (runId: string, state: string) => async (): Promise<true | undefined> =>
    (await h.pool.query(`SELECT 1 FROM ff_scheduler.runs WHERE run_id = $1 AND state = $2`, [runId, state])).rowCount ? true : undefined;

  let firstRun: string;

  it('learns who writes what from asset.committed: a run it fired, a run it did not; a redelivered event or a second commit stays one row', async () => {
    h.clock.set(at('2026-08-01T00:30:00Z'));
    await put('load-orders', { workflow: 'load-orders', cron: '0 * * * *' });
    await h.loop.tickOnce(at('2026-08-01T01:00:00Z'));
    firstRun = (await history('load-orders'))[0].runId!;

    // The scheduler's own run, before any run.state-changed of it: put to the workflow through its fire.
    await commit(ORDERS, firstRun, { table: 'orders' });
    const mine = await waitFor('load-orders writes orders', writerOf('load-orders', ORDERS));
    expect(mine).toMatchObject({ layer: 'silver', namespace: 'sales', table_name: 'orders', last_run_id: firstRun });

    // A run the scheduler did not request: known from run.state-changed (which carries its workflow).
    await h.runState(FIX_RUN, 'fix-orders', 'running');
    await waitFor('the fix-orders run recorded', runKnown(FIX_RUN, 'running'));
    const eventId = randomUUID();
    await commit(ORDERS, FIX_RUN, { table: 'orders' }, { eventId, occurredAt: Date.now() - 60_000 });
    await commit(ORDERS, FIX_RUN, { table: 'orders' }, { eventId, occurredAt: Date.now() - 60_000 }); // redelivered: same event id
    const later = Date.now();
    await commit(ORDERS, FIX_RUN, { table: 'orders' }, { occurredAt: later }); // a second snapshot of the same run
    await waitFor('the newest fix-orders write', async () =>
      (await writerOf('fix-orders', ORDERS)())?.last_written_at.getTime() === later ? true : undefined,
    );

    await h.runState(CUSTOMERS_RUN, 'load-customers', 'running');
    await waitFor('the load-customers run recorded', runKnown(CUSTOMERS_RUN, 'running'));
    await commit(CUSTOMERS, CUSTOMERS_RUN, { table: 'customers' });
    await waitFor('load-customers writes customers', writerOf('load-customers', CUSTOMERS));

    // One row per workflow × asset, whatever was delivered.
    expect((await writers()).map((r) => [r.workflow, `${r.layer}.${r.namespace}.${r.table_name}`, r.last_run_id])).toEqual([
      ['fix-orders', 'silver.sales.orders', FIX_RUN],
      ['load-customers', 'silver.sales.customers', CUSTOMERS_RUN],
      ['load-orders', 'silver.sales.orders', firstRun],
    ]);
    // The first run of load-orders ends (so only the runs this test starts below are active).
    await h.runState(firstRun, 'load-orders', 'succeeded');
    await waitFor('the first run finished', async () => ((await history('load-orders'))[0].runState === 'succeeded' ? true : undefined));
  });

  it('ignores, without an error or a retry, a commit without a run, of a run it does not know, or with a run id or name it cannot store', async () => {
    await commit(OTHER, null, { table: 'manual' });
    await commit(OTHER, randomUUID(), { table: 'unknown_run' });
    await commit(OTHER, 'not-a-uuid', { table: 'bad_run_id' });
    await commit(OTHER, firstRun, { table: 'nul\u0000name' });
    await commit(OTHER, firstRun, { table: 'x'.repeat(201) });
    // Then a good one on the same key: the bus delivers a key in order, so once it is recorded the ones before were handled.
    await commit(OTHER, firstRun, { layer: 'gold', namespace: 'reports', table: 'daily' });
    await waitFor('the good commit after the bad ones', writerOf('load-orders', OTHER));
    expect((await writers()).filter((r) => r.asset_id === OTHER).map((r) => `${r.layer}.${r.namespace}.${r.table_name}`)).toEqual(['gold.reports.daily']);
    // None failed: nothing dead-lettered, no retry pending on the group's partitions.
    const dlq = await h.pool.query(`SELECT 1 FROM ff_bus.log WHERE topic = 'flowforge.asset.committed.dlq'`);
    expect(dlq.rowCount).toBe(0);
    const retrying = await h.pool.query(
      `SELECT 1 FROM ff_bus.consumer_partitions WHERE group_id = 'scheduler' AND topic = 'flowforge.asset.committed' AND retry_attempts > 0`,
    );
    expect(retrying.rowCount).toBe(0);
  });

  it('PUT and GET warn about a schedule of another workflow writing a same asset at an overlapping time, naming both, the asset and the times', async () => {
    h.clock.set(at('2026-08-01T01:03:00Z'));
    // fix-orders wrote silver.sales.orders, as load-orders did; 02:02 is within 5 minutes of load-orders' 02:00.
    const nightly = await put('fix-orders-nightly', { workflow: 'fix-orders', cron: '2 * * * *' });
    expect(nightly.warnings).toEqual([
      'FF_SCHEDULE_CONFLICT: schedule "load-orders" of workflow "load-orders" and this schedule "fix-orders-nightly" of workflow "fix-orders" ' +
        'both write silver.sales.orders and fire within 5 minutes of each other ("fix-orders-nightly" at 2026-08-01T02:02:00.000Z, "load-orders" at 2026-08-01T02:00:00.000Z); ' +
        'their runs may write the same asset at the same time',
    ]);
    // The other side sees it too.
    const loadOrders = (await h.api<ScheduleView>('GET', '/internal/scheduler/schedules/load-orders')).body;
    expect(loadOrders.warnings).toHaveLength(1);
    expect(loadOrders.warnings![0]).toContain(
      'schedule "fix-orders-nightly" of workflow "fix-orders" and this schedule "load-orders" of workflow "load-orders" both write silver.sales.orders',
    );
    // Same times, a different asset: no warning.
    expect((await put('customers-hourly', { workflow: 'load-customers', cron: '0 * * * *' })).warnings).toEqual([]);
    // Same asset, times 28 minutes or more apart: no warning.
    expect((await put('fix-orders-late', { workflow: 'fix-orders', cron: '30 * * * *' })).warnings).toEqual([]);
    expect((await h.api('DELETE', '/internal/scheduler/schedules/fix-orders-late')).status).toBe(204);
  });

  it('writes a warning into the history when a run of another workflow writing a same asset is active at the fire time', async () => {
    // 02:00: the API run of fix-orders is running; load-orders fires, customers-hourly (another asset) too.
    await h.loop.tickOnce(at('2026-08-01T02:00:00Z'));
    const orders = (await history('load-orders')).at(-1)!;
    expect(orders.outcome).toBe('fired');
    expect(orders.warning).toBe(
      `FF_SCHEDULE_CONFLICT: workflow "fix-orders" also writes silver.sales.orders and has runs active (run ${FIX_RUN}); ` +
        'this run of workflow "load-orders" (schedule "load-orders") may write the same asset at the same time',
    );
    expect((await history('customers-hourly')).at(-1)).toMatchObject({ outcome: 'fired', warning: null });

    // 02:02: fix-orders-nightly fires while load-orders' 02:00 run is active (requested, no state yet): named by its schedule.
    await h.loop.tickOnce(at('2026-08-01T02:02:00Z'));
    const nightly = (await history('fix-orders-nightly')).at(-1)!;
    expect(nightly.warning).toContain(
      `FF_SCHEDULE_CONFLICT: workflow "load-orders" also writes silver.sales.orders and has runs active (load-orders: ${orders.runId})`,
    );

    // Every fix-orders run ends: load-orders' next fire has no warning.
    await h.runState(FIX_RUN, 'fix-orders', 'succeeded');
    await h.runState(nightly.runId!, 'fix-orders', 'succeeded');
    await waitFor('the API run ended', runKnown(FIX_RUN, 'succeeded'));
    await waitFor('the nightly run ended', async () => ((await history('fix-orders-nightly')).at(-1)!.runState === 'succeeded' ? true : undefined));
    await h.loop.tickOnce(at('2026-08-01T03:00:00Z'));
    expect((await history('load-orders')).at(-1)).toMatchObject({ fireTime: '2026-08-01T03:00:00.000Z', outcome: 'fired', warning: null });
  });

  it('prunes finished runs after a day and writers silent for FLOWFORGE_SCHEDULER_ASSET_DAYS (90), keeping active runs', async () => {
    const count = async (sql: string): Promise<number> => (await h.pool.query<{ n: number }>(sql)).rows[0].n;
    const active = await count(`SELECT count(*)::int AS n FROM ff_scheduler.runs WHERE state IN ('queued', 'running')`);
    expect(active).toBeGreaterThan(0); // the load-customers run
    expect(await count(`SELECT count(*)::int AS n FROM ff_scheduler.runs WHERE state NOT IN ('queued', 'running')`)).toBeGreaterThan(0);
    await h.loop.pruneHistory(new Date(Date.now() + 3_600_000));
    expect((await writers()).length).toBe(4);
    await h.loop.pruneHistory(new Date(Date.now() + 2 * 86_400_000));
    expect(await count(`SELECT count(*)::int AS n FROM ff_scheduler.runs`)).toBe(active);
    expect((await writers()).length).toBe(4);
    await h.loop.pruneHistory(new Date(Date.now() + 91 * 86_400_000));
    expect((await writers()).length).toBe(0);
  });

  it('names the first three shared assets and counts the rest when two workflows share many', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await h.runState(a, 'wide-a', 'running');
    await h.runState(b, 'wide-b', 'running');
    await waitFor('both runs recorded', async () => ((await runKnown(a, 'running')()) && (await runKnown(b, 'running')()) ? true : undefined));
    const tables = ['t1', 't2', 't3', 't4'].map((table) => ({ id: randomUUID(), table }));
    for (const t of tables) for (const run of [a, b]) await commit(t.id, run, { layer: 'bronze', namespace: 'raw', table: t.table });
    await waitFor('8 writes', async () => ((await writers()).filter((r) => r.workflow.startsWith('wide-')).length === 8 ? true : undefined));
    h.clock.set(at('2026-08-02T00:00:00Z'));
    await put('wide-a-daily', { workflow: 'wide-a', cron: '0 6 * * *' });
    const b6 = await put('wide-b-daily', { workflow: 'wide-b', cron: '4 6 * * *' });
    expect(b6.warnings).toHaveLength(1);
    expect(b6.warnings![0]).toContain('both write bronze.raw.t1, bronze.raw.t2, bronze.raw.t3 and 1 more and fire within 5 minutes');
  });
});
