import type { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import type { EventBus } from '@flowforge/bus';
import { RunRequested, RunStateChanged } from '@flowforge/contracts';
import { withTransaction } from '@flowforge/db';
import { createHostApp, createLogger, EVENT_BUS, HOST_RUNTIME, HostRuntime, loadHostConfig, startHostApp } from '@flowforge/service-kit';
import { orchestratorService } from '@flowforge/service-orchestrator';
import {
  CHAINING_CLOCK,
  ChainWaitStore,
  ChainWindowSweeper,
  OrchestratorRunsClient,
  triggersService,
  WorkflowEventSource,
  type ArrivalRecord,
  type ChainingClock,
  type WaitRecord,
  WorkflowChain,
  type WorkflowTriggerConfig,
} from '@flowforge/service-triggers';
import { createTestDatabase, waitFor, type TestDatabase } from '@flowforge/testing';

const INTERNAL_TOKEN = randomBytes(24).toString('hex');
const quiet = createLogger({ service: 'test', level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

interface SourceEvent {
  payload: Record<string, unknown>;
  dedupKey?: string;
  meta?: Record<string, string>;
}
interface Upstream {
  runId: string;
  state: string;
  outputs: Record<string, Record<string, unknown>>;
  steps: Record<string, string>;
}

const job = (name: string, type: string, config: Record<string, unknown>) =>
  `apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n  config: ${JSON.stringify(config)}\n`;
const workflow = (name: string, jobName: string, step = 'load') =>
  `apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: ${name}\nspec:\n  steps:\n    - { id: ${step}, job: ${jobName} }\n`;

/** Upstream workflows, one set per case so that no case sees another's runs. */
const UPSTREAM_OK = [
  'repl-one',
  'repl-a',
  'repl-b',
  'repl-c',
  'one-a',
  'cond-a',
  'fan-a',
  'all-a',
  'all-b',
  'all-c',
  'late-a',
  'late-b',
  'late-c',
  'again-a',
  'race-a',
  'race-b',
  'race-c',
  'loop-a',
  'loop-b',
];
const UPSTREAM_FAILING = ['fails-a'];

/**
 * Workflow chaining (services/triggers/src/chaining/README.md) on one embedded host running the
 * orchestrator (with its builtin executor) and the triggers service on a real database and the Postgres
 * bus: real runs end, their `run.state-changed` reaches the chaining consumer, which reads the real
 * outputs from the orchestrator's internal API and emits. The trigger core is not part of this branch:
 * each case starts its triggers on the `workflow` source with a recording `emit` answering as the core
 * would (a firing, the run it requests).
 */
describe('workflow triggers: run B when A ends (chaining)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let runtime: HostRuntime;
  let pool: Pool;
  let bus: EventBus;
  let source: WorkflowEventSource;
  let store: ChainWaitStore;
  let sweeper: ChainWindowSweeper;
  let chain: WorkflowChain;
  let clock: ChainingClock;
  let offsetMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase('ff_chain');
    const services = [orchestratorService, triggersService];
    const config = loadHostConfig({
      host: 'embedded',
      services,
      env: {
        DATABASE_URL: db.url,
        // Known, so that a second triggers replica can call this host's orchestrator.
        FLOWFORGE_INTERNAL_TOKEN: INTERNAL_TOKEN,
        FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '100',
        // The tests sweep themselves, at a time of their choosing.
        FLOWFORGE_TRIGGERS_CHAIN_SWEEP_MS: '600000',
        FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH: '3',
      },
      requireDatabaseUrl: true,
    });
    app = await createHostApp({ mode: 'embedded', host: 'embedded', services, config, logger: quiet, port: 0 });
    base = `http://127.0.0.1:${await startHostApp(app, 0, '127.0.0.1')}`;
    runtime = app.get<HostRuntime>(HOST_RUNTIME);
    bus = app.get<EventBus>(EVENT_BUS);
    source = app.get(WorkflowEventSource);
    store = app.get(ChainWaitStore);
    sweeper = app.get(ChainWindowSweeper);
    chain = app.get(WorkflowChain);
    clock = app.get<ChainingClock>(CHAINING_CLOCK);
    clock.now = () => new Date(Date.now() + offsetMs);
    pool = new Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);

    const docs = [
      job('nap', 'sleep', { ms: 20 }),
      job('boom', 'fail', { message: 'boom on purpose', retryable: false }),
      job('nothing', 'noop', {}),
      ...UPSTREAM_OK.map((w) => workflow(w, 'nap')),
      ...UPSTREAM_FAILING.map((w) => workflow(w, 'boom')),
      workflow('down', 'nothing', 'go'),
      workflow('down-2', 'nothing', 'go'),
    ];
    await waitFor('builtin job types', async () => {
      const res = await fetch(`${base}/internal/orchestrator/workflows/apply`, {
        method: 'POST',
        headers: { ...runtime.internalHeaders(), 'content-type': 'application/yaml' },
        body: docs.join('---\n'),
      });
      if (res.status !== 200) throw new Error(`apply: ${res.status} ${await res.text()}`);
      return true;
    });
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}/internal/orchestrator${path}`, {
      method,
      headers: { ...runtime.internalHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  /** Runs `name` through the orchestrator's API and waits for its end. */
  const runToEnd = async (name: string): Promise<{ id: string; state: string }> => {
    const created = await api<{ id: string }>('POST', '/runs', { workflow: name });
    if (created.status !== 201) throw new Error(`POST run of ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    return waitFor(`run of ${name} ending`, async () => {
      const r = await api<{ id: string; state: string }>('GET', `/runs/${created.body.id}`);
      return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.body.state) ? r.body : undefined;
    });
  };

  /** A recording emit that answers as the trigger core does: a firing, and the id of the run it requests. */
  const recorder = () => {
    const events: SourceEvent[] = [];
    const runIds: string[] = [];
    const emit = (e: SourceEvent) => {
      events.push(e);
      const runId = randomUUID();
      runIds.push(runId);
      return Promise.resolve({ firingId: randomUUID(), matched: true, reason: 'matched', runId });
    };
    return { events, runIds, emit };
  };

  const started: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const h of started.splice(0)) await h.stop();
    offsetMs = 0;
  });

  const startTrigger = async (id: string, downstream: string, config: WorkflowTriggerConfig, emit: (e: SourceEvent) => Promise<unknown>) => {
    const handle = await source.start({ id, name: id, workflow: downstream, type: 'workflow', config }, emit as never);
    started.push(handle);
    return handle;
  };

  /** Every run.state-changed published so far has been handled by the chaining consumer. */
  const consumerIdle = () =>
    waitFor('the chaining consumer idle', async () => {
      const { rows } = await pool.query<{ idle: boolean }>(
        `SELECT bool_and(coalesce(c.committed_offset, 0) >= p.next_offset) AS idle
         FROM ff_bus.partitions p
         LEFT JOIN ff_bus.consumer_partitions c ON c.topic = p.topic AND c.partition = p.partition AND c.group_id = 'triggers.chaining'
         WHERE p.topic = 'flowforge.run.state-changed'`,
      );
      return rows[0]?.idle ? true : undefined;
    });

  const arrivals = (triggerId: string): Promise<ArrivalRecord[]> => store.arrivals(pool, triggerId);
  const waits = (triggerId: string): Promise<WaitRecord[]> => store.waits(pool, triggerId);
  /** Waits until the trigger settled the upstream run (its arrival is no longer pending). */
  const settled = (triggerId: string, runId: string, outcome?: string) =>
    waitFor(`trigger ${triggerId} settling run ${runId}`, async () => {
      const a = (await arrivals(triggerId)).find((x) => x.upstreamRunId === runId);
      return a && a.outcome !== 'pending' && (!outcome || a.outcome === outcome) ? a : undefined;
    });

  it('A succeeds → the trigger emits once with the outputs of A as the payload the params mapping reads', async () => {
    const rec = recorder();
    await startTrigger('t-one', 'down', { upstream: ['one-a'], on: 'success' }, rec.emit);
    const a = await runToEnd('one-a');
    expect(a.state).toBe('succeeded');
    const arrival = await settled('t-one', a.id, 'fired');
    expect(rec.events).toHaveLength(1);
    const e = rec.events[0]!;
    expect(e.dedupKey).toBe(`run:${a.id}`);
    expect(e.payload).toMatchObject({ runId: a.id, workflow: 'one-a', state: 'succeeded', chain: { depth: 1 } });
    // Real outputs, read from the orchestrator: the builtin sleep job reports sleptMs.
    const up = (e.payload.upstream as Record<string, Upstream>)['one-a']!;
    expect(up).toMatchObject({ runId: a.id, state: 'succeeded', outputs: { load: { sleptMs: 20 } }, steps: { load: 'succeeded' } });
    expect(e.meta).toEqual({ upstreamWorkflow: 'one-a', upstreamRunId: a.id, upstreamState: 'succeeded', trigger: 't-one' });
    expect(arrival).toMatchObject({ outcome: 'fired', reason: 'matched', firedRunId: rec.runIds[0] });
  });

  it('A fails and the trigger wants success → no emit; a trigger on failure fires with the failed run', async () => {
    const onSuccess = recorder();
    const onFailure = recorder();
    await startTrigger('t-success', 'down', { upstream: ['fails-a'], on: 'success' }, onSuccess.emit);
    await startTrigger('t-failure', 'down', { upstream: ['fails-a'], on: 'failure' }, onFailure.emit);
    const a = await runToEnd('fails-a');
    expect(a.state).toBe('failed');
    await settled('t-failure', a.id, 'fired');
    expect(onFailure.events).toHaveLength(1);
    expect(onFailure.events[0]!.payload).toMatchObject({ state: 'failed', upstream: { 'fails-a': { state: 'failed', steps: { load: 'failed' } } } });
    // The same event was handled for both triggers in one transaction: the success one saw nothing.
    expect(onSuccess.events).toEqual([]);
    expect(await arrivals('t-success')).toEqual([]);
  });

  it('a condition that is false emits nothing and records why, with the values it read', async () => {
    const never = recorder();
    const always = recorder();
    await startTrigger('t-cond-false', 'down', { upstream: ['cond-a'], on: 'success', condition: 'steps.load.outputs.sleptMs > 1000' }, never.emit);
    await startTrigger(
      't-cond-true',
      'down',
      { upstream: ['cond-a'], on: 'success', condition: 'steps.load.outputs.sleptMs >= 20 && state == "succeeded"' },
      always.emit,
    );
    const a = await runToEnd('cond-a');
    const refused = await settled('t-cond-false', a.id, 'condition_false');
    expect(refused.reason).toBe(
      `FF_TRIGGER_CONDITION_FALSE: condition "steps.load.outputs.sleptMs > 1000" is false for run ${a.id} of cond-a (steps.load.outputs.sleptMs = 20)`,
    );
    expect(never.events).toEqual([]);
    await settled('t-cond-true', a.id, 'fired');
    expect(always.events).toHaveLength(1);
  });

  it('with wait-for-all, a run for which the condition is false does not count towards the window', async () => {
    const rec = recorder();
    await startTrigger('t-cond-wait', 'down', { upstream: ['cond-a', 'fan-a'], on: 'success', condition: 'steps.load.outputs.sleptMs > 1000' }, rec.emit);
    const a = await runToEnd('cond-a');
    expect((await settled('t-cond-wait', a.id, 'condition_false')).reason).toContain('steps.load.outputs.sleptMs = 20');
    expect(await waits('t-cond-wait')).toEqual([]);
    expect(rec.events).toEqual([]);
  });

  it('a run request the orchestrator refused (null → failed, no run to read) still reaches a trigger on failure, with no outputs', async () => {
    const rec = recorder();
    await startTrigger('t-refused', 'down', { upstream: ['never-defined'], on: 'failure' }, rec.emit);
    const runId = randomUUID();
    await bus.publish(
      RunRequested,
      { runId, workflowId: 'never-defined', workflowVersion: null, params: {}, idempotencyKey: null, requestedBy: 'trigger:test' },
      { key: runId },
    );
    await settled('t-refused', runId, 'fired');
    expect(rec.events[0]!.payload).toMatchObject({
      state: 'failed',
      upstream: { 'never-defined': { runId, state: 'failed', outputs: {}, steps: {}, reason: expect.stringContaining('FF_WORKFLOW_NOT_FOUND') } },
    });
  });

  it('fan-out: two triggers on the same upstream each emit once (their runs go in parallel)', async () => {
    const first = recorder();
    const second = recorder();
    await startTrigger('t-fan-1', 'down', { upstream: ['fan-a'], on: 'finished' }, first.emit);
    await startTrigger('t-fan-2', 'down-2', { upstream: ['fan-a'], on: 'success' }, second.emit);
    const a = await runToEnd('fan-a');
    await settled('t-fan-1', a.id, 'fired');
    await settled('t-fan-2', a.id, 'fired');
    expect(first.events.map((e) => e.dedupKey)).toEqual([`run:${a.id}`]);
    expect(second.events.map((e) => e.dedupKey)).toEqual([`run:${a.id}`]);
  });

  it('wait-for-all of {A, B, C}: nothing until the last arrives, then one emit carrying the outputs of all three', async () => {
    const rec = recorder();
    await startTrigger('t-all', 'down', { upstream: ['all-a', 'all-b', 'all-c'], on: 'success', windowMs: 600_000 }, rec.emit);
    const a = await runToEnd('all-a');
    const b = await runToEnd('all-b');
    expect((await settled('t-all', a.id, 'waiting')).reason).toMatch(/^waiting for all-b, all-c until /);
    await settled('t-all', b.id, 'waiting');
    expect(rec.events).toEqual([]);
    const c = await runToEnd('all-c');
    await settled('t-all', c.id, 'wait_fired');
    expect(rec.events).toHaveLength(1);
    const e = rec.events[0]!;
    const up = e.payload.upstream as Record<string, Upstream>;
    expect(Object.keys(up).sort()).toEqual(['all-a', 'all-b', 'all-c']);
    expect(up['all-a']).toMatchObject({ runId: a.id, outputs: { load: { sleptMs: 20 } } });
    expect(up['all-b']!.runId).toBe(b.id);
    expect(up['all-c']!.runId).toBe(c.id);
    expect(e.payload).toMatchObject({ runId: c.id, wait: { complete: true, missing: [] }, chain: { depth: 1 } });
    expect(e.dedupKey).toMatch(/^runs:[0-9a-f]{64}$/);
    const [w] = await waits('t-all');
    expect(w).toMatchObject({ state: 'fired', dedupKey: e.dedupKey, firedRunId: rec.runIds[0] });
    for (const id of [a.id, b.id]) expect((await arrivals('t-all')).find((x) => x.upstreamRunId === id)!.outcome).toBe('wait_fired');
    // The next run of A opens a new window rather than firing with the old B and C.
    const a2 = await runToEnd('all-a');
    await settled('t-all', a2.id, 'waiting');
    expect(rec.events).toHaveLength(1);
    expect((await waits('t-all')).map((x) => x.state)).toEqual(['fired', 'open']);
  });

  it('a window that ends with only A and B: timeoutAction fire emits what arrived, skip emits nothing; both recorded', async () => {
    const fire = recorder();
    const skip = recorder();
    await startTrigger('t-late-fire', 'down', { upstream: ['late-a', 'late-b', 'late-c'], on: 'success', windowMs: 60_000, timeoutAction: 'fire' }, fire.emit);
    await startTrigger('t-late-skip', 'down', { upstream: ['late-a', 'late-b', 'late-c'], on: 'success', windowMs: 60_000 }, skip.emit);
    const a = await runToEnd('late-a');
    const b = await runToEnd('late-b');
    for (const t of ['t-late-fire', 't-late-skip']) {
      await settled(t, a.id, 'waiting');
      await settled(t, b.id, 'waiting');
    }
    // Within the window the sweeper settles nothing.
    expect(await sweeper.sweepOnce()).toMatchObject({ settled: 0 });
    offsetMs = 61_000;
    expect(await sweeper.sweepOnce()).toMatchObject({ settled: 2 });
    expect(await sweeper.sweepOnce()).toMatchObject({ settled: 0 });

    expect(fire.events).toHaveLength(1);
    const e = fire.events[0]!;
    expect(Object.keys(e.payload.upstream as object).sort()).toEqual(['late-a', 'late-b']);
    expect(e.payload.wait).toMatchObject({ complete: false, missing: ['late-c'] });
    expect(e.dedupKey).toMatch(/^runs:[0-9a-f]{64}:partial$/);
    const [fired] = await waits('t-late-fire');
    expect(fired!.state).toBe('timed_out_fired');
    expect(fired!.reason).toContain('FF_TRIGGER_WAIT_TIMEOUT: the window of 60000 ms ended at');
    expect(fired!.reason).toContain('with late-a, late-b arrived; late-c missing; timeoutAction fire');

    expect(skip.events).toEqual([]);
    const [skipped] = await waits('t-late-skip');
    expect(skipped!.state).toBe('timed_out_skipped');
    expect(skipped!.reason).toMatch(/late-c missing; timeoutAction skip$/);
    expect((await arrivals('t-late-skip')).map((x) => x.outcome)).toEqual(['wait_timed_out_skipped', 'wait_timed_out_skipped']);

    // C arriving after the window opens a new one: it never completes the old window.
    const c = await runToEnd('late-c');
    await settled('t-late-skip', c.id, 'waiting');
    expect(skip.events).toEqual([]);
    expect((await waits('t-late-skip')).map((w) => w.state)).toEqual(['timed_out_skipped', 'open']);
  });

  it('a window past its deadline that a later arrival finds before the sweeper is settled by that arrival first', async () => {
    const rec = recorder();
    await startTrigger('t-late-handler', 'down', { upstream: ['late-a', 'late-c'], on: 'success', windowMs: 5_000, timeoutAction: 'fire' }, rec.emit);
    const a = await runToEnd('late-a');
    await settled('t-late-handler', a.id, 'waiting');
    offsetMs = 10_000;
    const c = await runToEnd('late-c');
    await settled('t-late-handler', c.id, 'waiting');
    expect(rec.events).toHaveLength(1);
    expect(rec.events[0]!.payload).toMatchObject({ wait: { complete: false, missing: ['late-c'] }, runId: a.id });
    expect((await waits('t-late-handler')).map((w) => w.state)).toEqual(['timed_out_fired', 'open']);
  });

  it('a redelivered or re-published event emits nothing more; a rolled-back handling emits again with the same dedupKey', async () => {
    const rec = recorder();
    await startTrigger('t-again', 'down', { upstream: ['again-a'], on: 'success' }, rec.emit);
    const a = await runToEnd('again-a');
    await settled('t-again', a.id, 'fired');
    expect(rec.events).toHaveLength(1);

    // The same transition published again (a new event id: the inbox cannot recognise it), handled by the real consumer.
    const again = await bus.publish(RunStateChanged, { runId: a.id, workflowId: 'again-a', from: 'running', to: 'succeeded', reason: null }, { key: a.id });
    await waitFor('the re-published event handled', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM ff_bus.inbox WHERE group_id = 'triggers.chaining' AND event_id = $1`, [again.eventId]);
      return rows.length ? true : undefined;
    });
    // And delivered again to the service itself, as a retry after a crash would.
    await withTransaction(pool, (tx) => chain.onRunEnded(tx, { runId: a.id, workflowId: 'again-a', to: 'succeeded', reason: null }));
    expect(rec.events).toHaveLength(1);

    // A handling whose transaction rolls back after emitting (the core committed the firing): the retry emits
    // again with the same dedupKey, which the core records as a duplicate.
    const fresh = recorder();
    await startTrigger('t-again-2', 'down', { upstream: ['again-a'], on: 'success' }, fresh.emit);
    await expect(
      withTransaction(pool, async (tx) => {
        await chain.onRunEnded(tx, { runId: a.id, workflowId: 'again-a', to: 'succeeded', reason: null });
        throw new Error('rolled back after emitting');
      }),
    ).rejects.toThrow('rolled back after emitting');
    await withTransaction(pool, (tx) => chain.onRunEnded(tx, { runId: a.id, workflowId: 'again-a', to: 'succeeded', reason: null }));
    expect(fresh.events.map((e) => e.dedupKey)).toEqual([`run:${a.id}`, `run:${a.id}`]);
    expect((await arrivals('t-again-2')).map((x) => x.outcome)).toEqual(['fired']);
  });

  it('replicas: the last two upstream runs handled at the same moment in two transactions complete the window once', async () => {
    const rec = recorder();
    const a = await runToEnd('race-a');
    const b = await runToEnd('race-b');
    const c = await runToEnd('race-c');
    // Started once the consumer handled these runs, so it has nothing more to do with them: the test delivers.
    await consumerIdle();
    await startTrigger('t-race', 'down', { upstream: ['race-a', 'race-b', 'race-c'], on: 'success' }, rec.emit);
    const deliver = (run: { id: string }, wf: string) =>
      withTransaction(pool, (tx) => chain.onRunEnded(tx, { runId: run.id, workflowId: wf, to: 'succeeded', reason: null }));
    await deliver(a, 'race-a');
    await Promise.all([deliver(b, 'race-b'), deliver(c, 'race-c')]);
    expect(rec.events).toHaveLength(1);
    expect(Object.keys(rec.events[0]!.payload.upstream as object).sort()).toEqual(['race-a', 'race-b', 'race-c']);
    // The first two at once: one window opened (the unique open window), the third completes it.
    const rec2 = recorder();
    await startTrigger('t-race-2', 'down', { upstream: ['race-a', 'race-b', 'race-c'], on: 'success' }, rec2.emit);
    await Promise.all([deliver(a, 'race-a'), deliver(b, 'race-b')]);
    expect((await waits('t-race-2')).map((w) => w.state)).toEqual(['open']);
    await deliver(c, 'race-c');
    expect(rec2.events).toHaveLength(1);
    expect((await waits('t-race-2')).map((w) => w.state)).toEqual(['fired']);
  });

  it('two triggers-service replicas in the consumer group, each with the triggers started: one emit per upstream run and per window', async () => {
    const replicaConfig = loadHostConfig({
      host: 'triggers',
      services: [triggersService],
      env: { DATABASE_URL: db.url, FLOWFORGE_INTERNAL_TOKEN: INTERNAL_TOKEN, FLOWFORGE_ORCHESTRATOR_URL: base, FLOWFORGE_TRIGGERS_CHAIN_SWEEP_MS: '600000' },
      requireDatabaseUrl: true,
    });
    const replica = await createHostApp({ mode: 'standalone', host: 'triggers', services: [triggersService], config: replicaConfig, logger: quiet, port: 0 });
    await startHostApp(replica, 0, '127.0.0.1');
    try {
      // Both members own partitions of run.state-changed before the runs start.
      await waitFor(
        'two members sharing the partitions',
        async () => {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(DISTINCT owner)::int AS n FROM ff_bus.consumer_partitions
             WHERE group_id = 'triggers.chaining' AND topic = 'flowforge.run.state-changed' AND owner IS NOT NULL AND lease_expires_at > now()`,
          );
          return rows[0]!.n === 2 ? true : undefined;
        },
        40_000,
      );
      const here = { one: recorder(), all: recorder() };
      const there = { one: recorder(), all: recorder() };
      const replicaSource = replica.get(WorkflowEventSource);
      await startTrigger('t-repl-one', 'down', { upstream: ['repl-one'], on: 'success' }, here.one.emit);
      await startTrigger('t-repl-all', 'down', { upstream: ['repl-a', 'repl-b', 'repl-c'], on: 'success' }, here.all.emit);
      started.push(
        await replicaSource.start(
          { id: 't-repl-one', name: 't-repl-one', workflow: 'down', type: 'workflow', config: { upstream: ['repl-one'], on: 'success' } },
          there.one.emit as never,
        ),
      );
      started.push(
        await replicaSource.start(
          { id: 't-repl-all', name: 't-repl-all', workflow: 'down', type: 'workflow', config: { upstream: ['repl-a', 'repl-b', 'repl-c'], on: 'success' } },
          there.all.emit as never,
        ),
      );
      const runs = await Promise.all(['repl-one', 'repl-one', 'repl-one', 'repl-one', 'repl-a', 'repl-b', 'repl-c'].map((w) => runToEnd(w)));
      for (const r of runs.slice(0, 4)) await settled('t-repl-one', r.id, 'fired');
      for (const r of runs.slice(4)) await settled('t-repl-all', r.id, 'wait_fired');
      const ones = [...here.one.events, ...there.one.events].map((e) => e.dedupKey).sort();
      expect(ones).toEqual(
        runs
          .slice(0, 4)
          .map((r) => `run:${r.id}`)
          .sort(),
      );
      expect(here.all.events.length + there.all.events.length).toBe(1);
    } finally {
      await replica.close();
    }
  });

  it('reads a run with its outputs from the orchestrator; an unknown run is null; an orchestrator that does not answer is an error the bus retries', async () => {
    const a = await runToEnd('one-a');
    const client = app.get(OrchestratorRunsClient);
    expect(await client.run(a.id)).toMatchObject({ id: a.id, workflow: 'one-a', state: 'succeeded', steps: [{ stepId: 'load', outputs: { sleptMs: 20 } }] });
    expect(await client.run(randomUUID())).toBeNull();
    expect(await client.run('not-a-run-id')).toBeNull();
    const away = new OrchestratorRunsClient(runtime, { FLOWFORGE_ORCHESTRATOR_URL: 'http://127.0.0.1:9' } as never);
    await expect(away.run(a.id)).rejects.toMatchObject({
      code: 'FF_TRIGGER_UPSTREAM_UNAVAILABLE',
      message: expect.stringContaining(`reading run ${a.id}: the orchestrator at http://127.0.0.1:9 did not answer`),
    });
    // Without the internal token the orchestrator refuses: an error too, never a run without outputs.
    const stranger = new HostRuntime('standalone', 'triggers', 0, db.url, 'x'.repeat(40));
    const untrusted = new OrchestratorRunsClient(stranger, { FLOWFORGE_ORCHESTRATOR_URL: base } as never);
    await expect(untrusted.run(a.id)).rejects.toMatchObject({ message: expect.stringContaining('the orchestrator answered 403') });
  });

  it('an indirect cycle A → B → A stops at FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH links, recorded', async () => {
    // A recording emit that also requests the run, as the core does, so the loop really turns.
    const requested: string[] = [];
    const requesting = (downstream: string) => async (e: SourceEvent) => {
      const runId = randomUUID();
      requested.push(`${downstream}:${String(e.payload.runId)}`);
      await bus.publish(
        RunRequested,
        { runId, workflowId: downstream, workflowVersion: null, params: {}, idempotencyKey: null, requestedBy: 'trigger:test' },
        { key: runId },
      );
      return { firingId: randomUUID(), matched: true, reason: 'matched', runId };
    };
    await startTrigger('t-loop-ab', 'loop-b', { upstream: ['loop-a'], on: 'success' }, requesting('loop-b'));
    await startTrigger('t-loop-ba', 'loop-a', { upstream: ['loop-b'], on: 'success' }, requesting('loop-a'));
    await runToEnd('loop-a');
    // Depth 3: A (0) → B (1) → A (2) → B (3); the run at depth 3 ending is refused.
    const refused = await waitFor('the chain refused', async () => {
      const all = [...(await arrivals('t-loop-ab')), ...(await arrivals('t-loop-ba'))];
      return all.find((x) => x.outcome === 'chain_too_deep');
    });
    expect(refused.reason).toContain('FF_TRIGGER_CHAIN_TOO_DEEP');
    expect(refused.reason).toContain('would be link 4');
    expect(refused.reason).toContain('FLOWFORGE_TRIGGERS_CHAIN_MAX_DEPTH is 3');
    expect(requested).toHaveLength(3);
    const fired = [...(await arrivals('t-loop-ab')), ...(await arrivals('t-loop-ba'))].filter((x) => x.outcome === 'fired');
    expect(fired).toHaveLength(3);
  });
});
