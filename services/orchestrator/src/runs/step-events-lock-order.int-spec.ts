import { randomUUID } from 'node:crypto';
import type { StepCompletedEvent, StepDispatchedEvent, StepLogEvent, StepStartedEvent } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import type { PoolClient } from 'pg';
import { FakeExecutor } from '../../test/fake.executor';
import { BUILTIN_JOBS, jobYaml, startOrchestrator, type OrchestratorHarness } from '../../test/orchestrator.harness';
import { StepEventsProcessor, type StepEventContext } from './step-events.processor';

const WORKFLOW = `
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: single
spec:
  steps:
    - { id: work, job: work }
`;

const envelope = () => ({ eventId: randomUUID(), occurredAt: Date.now(), producer: 'test', traceparent: null, schemaVersion: 1 });
const startedOf = (d: StepDispatchedEvent): StepStartedEvent => ({
  ...envelope(),
  runId: d.runId,
  stepId: d.stepId,
  attempt: d.attempt,
  executor: d.executor,
  instanceId: 'fake-ingestion',
  leaseMs: 60_000,
});
const completedOf = (d: StepDispatchedEvent): StepCompletedEvent => ({
  ...envelope(),
  runId: d.runId,
  stepId: d.stepId,
  attempt: d.attempt,
  outputs: '{}',
  metrics: null,
});
const logOf = (d: StepDispatchedEvent, message: string): StepLogEvent => ({
  ...envelope(),
  runId: d.runId,
  stepId: d.stepId,
  attempt: d.attempt,
  lines: [{ at: Date.now(), level: 'info', message, fields: null }],
});

/**
 * A Postgres bus batch played by hand: one transaction on a connection of its own, handler calls with
 * the context the bus gives them, then the work they registered for before the commit, then COMMIT.
 * `beforeCommit: false` plays a bus that handles several events in one transaction without it.
 */
class Batch {
  private readonly work: (() => Promise<void>)[] = [];
  /** One function per transaction, as the bus gives it: the handlers of a batch share it. */
  private readonly beforeCommit = (w: () => Promise<void>): void => void this.work.push(w);
  private next = 0;
  private constructor(
    readonly client: PoolClient,
    private readonly topic: string,
    private readonly withBeforeCommit: boolean,
  ) {}

  static async begin(h: OrchestratorHarness, topic: string, withBeforeCommit = true): Promise<Batch> {
    const client = await h.pool.connect();
    await client.query('BEGIN');
    return new Batch(client, topic, withBeforeCommit);
  }

  ctx(attempt = 1, offset = String(this.next++)): StepEventContext {
    const ctx: StepEventContext = { tx: this.client, topic: this.topic, partition: 0, offset, attempt };
    if (this.withBeforeCommit) ctx.beforeCommit = this.beforeCommit;
    return ctx;
  }

  async commit(): Promise<void> {
    try {
      for (const w of this.work) await w();
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK');
      throw err;
    } finally {
      this.client.release();
    }
  }
}

/** Resolves once both sides arrived: the second handler of each batch starts after the first of both ran. */
function barrier(): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    if (++arrived === 2) open();
    await opened;
  };
}

describe('step events: batches lock their runs in one order', () => {
  let db: TestDatabase;
  let h: OrchestratorHarness;
  let fake: FakeExecutor;
  let processor: StepEventsProcessor;

  beforeAll(async () => {
    db = await createTestDatabase('ff_orch_lockorder');
    h = await startOrchestrator(db.url);
    fake = await FakeExecutor.start(h.bus, h.pool, 'ingestion', ['test.work']);
    expect((await h.apply(`${BUILTIN_JOBS}---\n${jobYaml('work', 'test.work')}---\n${WORKFLOW}`)).status).toBe(200);
    processor = h.app.get(StepEventsProcessor, { strict: false });
  });

  afterAll(async () => {
    await fake?.close();
    await h?.stop();
    await db?.drop();
  });

  const twoDispatchedRuns = async (): Promise<[StepDispatchedEvent, StepDispatchedEvent]> => {
    const [r1, r2] = [await h.createRun('single'), await h.createRun('single')];
    return [await fake.waitDispatch(r1.id, 'work', 1), await fake.waitDispatch(r2.id, 'work', 1)];
  };

  /**
   * The benchmark's deadlock: a StepStarted batch handling run A then run B, beside a StepCompleted
   * batch handling B then A, each handler's first event seen before either's second.
   */
  const race = async (withBeforeCommit: boolean, a: StepDispatchedEvent, b: StepDispatchedEvent) => {
    const started = await Batch.begin(h, 'flowforge.step.started', withBeforeCommit);
    const completed = await Batch.begin(h, 'flowforge.step.completed', withBeforeCommit);
    const bothHandledOne = barrier();
    return Promise.allSettled([
      (async () => {
        await processor.started(started.ctx(), startedOf(a));
        await bothHandledOne();
        await processor.started(started.ctx(), startedOf(b));
      })().then(
        () => started.commit(),
        async (err: unknown) => {
          await started.client.query('ROLLBACK');
          started.client.release();
          throw err;
        },
      ),
      (async () => {
        await processor.completed(completed.ctx(), completedOf(b));
        await bothHandledOne();
        await processor.completed(completed.ctx(), completedOf(a));
      })().then(
        () => completed.commit(),
        async (err: unknown) => {
          await completed.client.query('ROLLBACK');
          completed.client.release();
          throw err;
        },
      ),
    ]);
  };

  it('applied as they come, the two batches deadlock (the cycle the lock order removes)', async () => {
    const [a, b] = await twoDispatchedRuns();
    const outcomes = await race(false, a, b);
    const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'committed'));
    expect(codes.sort()).toEqual(['40P01', 'committed']);
  });

  it('applied at the end of their batch, runs locked in id order: both batches commit, both runs succeed', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await twoDispatchedRuns();
      const outcomes = await race(true, a, b);
      expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'committed'))).toEqual(['committed', 'committed']);
      for (const d of [a, b]) {
        const run = await h.waitRun(d.runId);
        expect(run.state).toBe('succeeded');
        expect(run.steps!.map((s) => `${s.stepId}:${s.state}`)).toEqual(['work:succeeded']);
      }
    }
  });

  it('an event whose work fails in its batch fails alone on its next delivery, so the bus retries that one, not the last', async () => {
    const [a, b] = await twoDispatchedRuns();
    // A NUL byte PostgreSQL refuses in text: this log line can never be stored.
    const poisoned = logOf(b, 'bad \u0000 line');
    const first = await Batch.begin(h, 'flowforge.step.log');
    await processor.log(first.ctx(1, '10'), logOf(a, 'fine 1'));
    await processor.log(first.ctx(1, '11'), poisoned);
    await processor.log(first.ctx(1, '12'), logOf(a, 'fine 2'));
    // The failure surfaces at the end of the batch, where the bus blames the last event (offset 12)...
    await expect(first.commit()).rejects.toMatchObject({ code: '22021' });
    // ...and replays the events before it: the poisoned one now fails in its handler, at its own offset.
    const replay = await Batch.begin(h, 'flowforge.step.log');
    await processor.log(replay.ctx(1, '10'), logOf(a, 'fine 1'));
    await expect(processor.log(replay.ctx(1, '11'), poisoned)).rejects.toMatchObject({ code: '22021' });
    await replay.commit(); // the bus commits the events before it
    // Retried alone (attempt 2), it runs its work again and fails on its own, headed for the DLQ.
    const alone = await Batch.begin(h, 'flowforge.step.log');
    await processor.log(alone.ctx(2, '11'), poisoned);
    await expect(alone.commit()).rejects.toMatchObject({ code: '22021' });
    // The events behind it are not held up.
    const rest = await Batch.begin(h, 'flowforge.step.log');
    await processor.log(rest.ctx(1, '12'), logOf(a, 'fine 2'));
    await rest.commit();
    const { rows } = await h.pool.query<{ message: string }>(`SELECT message FROM ff_orchestrator.run_logs WHERE run_id = $1 ORDER BY id`, [a.runId]);
    expect(rows.map((r) => r.message)).toEqual(['fine 1', 'fine 2']);
  });

  it('on a bus with beforeCommit nothing is applied before the batch ends (the handler only queues it)', async () => {
    const [a] = await twoDispatchedRuns();
    const batch = await Batch.begin(h, 'flowforge.step.started');
    await processor.started(batch.ctx(), startedOf(a));
    // Another connection can still lock the run: the handler took no lock.
    const other = await h.pool.connect();
    try {
      await other.query('BEGIN');
      const { rowCount } = await other.query(`SELECT 1 FROM ff_orchestrator.runs WHERE id = $1 FOR UPDATE NOWAIT`, [a.runId]);
      expect(rowCount).toBe(1);
      await other.query('ROLLBACK');
    } finally {
      other.release();
    }
    await batch.commit();
    expect((await h.getRun(a.runId)).steps![0]!.state).toBe('running');
  });
});
