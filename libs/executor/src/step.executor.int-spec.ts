import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { PostgresEventBus } from '@flowforge/bus';
import { AvroCodec, InMemorySchemaRegistry, type StepExecutor as StepExecutorName } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { builtinJobTypes } from './builtin';
import type { ExecutorLogger } from './executor.logger';
import type { JobContext, JobType } from './job-type';
import { StepExecutor, cancelGroup } from './step.executor';
import { OrchestratorProbe } from './testing';

jest.setTimeout(60_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const LEASE_MS = 1500;

/** Test-controlled gates: `hold` jobs wait on theirs, so a test decides when they finish. */
class Gates {
  private readonly gates = new Map<string, { open: () => void; opened: Promise<void> }>();
  readonly executions = new Map<string, number>();
  running = 0;
  maxRunning = 0;

  get(name: string): Promise<void> {
    return this.entry(name).opened;
  }
  open(name: string): void {
    this.entry(name).open();
  }
  private entry(name: string) {
    let g = this.gates.get(name);
    if (!g) {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      g = { open, opened };
      this.gates.set(name, g);
    }
    return g;
  }
}

function testJobTypes(gates: Gates): JobType[] {
  const gateSchema = { type: 'object', properties: { gate: { type: 'string' } }, required: ['gate'], additionalProperties: false };
  const hold: JobType<{ gate: string }> = {
    type: 'test.hold',
    version: 1,
    configSchema: gateSchema,
    async execute(ctx: JobContext<{ gate: string }>) {
      gates.executions.set(ctx.config.gate, (gates.executions.get(ctx.config.gate) ?? 0) + 1);
      gates.maxRunning = Math.max(gates.maxRunning, ++gates.running);
      try {
        await Promise.race([
          gates.get(ctx.config.gate),
          new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true })),
        ]);
        return { outputs: { gate: ctx.config.gate } };
      } finally {
        gates.running--;
      }
    },
  };
  // Ignores its signal: the kit must report the attempt anyway once the grace period is over.
  const stubborn: JobType<{ gate: string }> = {
    type: 'test.stubborn',
    version: 1,
    configSchema: gateSchema,
    async execute(ctx: JobContext<{ gate: string }>) {
      await gates.get(ctx.config.gate);
      return { outputs: { late: true } };
    },
  };
  const throws: JobType = {
    type: 'test.throws',
    version: 1,
    configSchema: { type: 'object' },
    async execute() {
      throw new Error('could not reach postgres://etl:s3cret@db:5432/sales');
    },
  };
  const chatty: JobType<{ password: string; lines: number }> = {
    type: 'test.chatty',
    version: 1,
    configSchema: {
      type: 'object',
      properties: { password: { type: 'string' }, lines: { type: 'integer', minimum: 1 } },
      required: ['password', 'lines'],
    },
    async execute(ctx: JobContext<{ password: string; lines: number }>) {
      for (let i = 0; i < ctx.config.lines; i++) {
        ctx.log[i % 2 === 0 ? 'info' : 'debug'](`line ${i}`, { i, password: ctx.config.password, dsn: `postgres://etl:${ctx.config.password}@db/x` });
      }
      ctx.log.error(`connect to postgres://etl:${ctx.config.password}@db/x failed`);
      return { outputs: { lines: ctx.config.lines } };
    },
  };
  return [hold, stubborn, throws, chatty];
}

interface Captured {
  level: string;
  message: string;
  context: Record<string, unknown>;
}
function capturingLogger(into: Captured[]): ExecutorLogger {
  const at = (level: string) => (message: string, context?: Record<string, unknown>) => void into.push({ level, message, context: context ?? {} });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const newRun = (): string => `run-${randomUUID()}`;

describe('StepExecutor against the real PostgresEventBus', () => {
  let db: TestDatabase;
  let admin: Pool;
  let orchestratorBus: PostgresEventBus;
  let executorBus: PostgresEventBus;
  let probe: OrchestratorProbe;
  const gates = new Gates();

  /** Rows a topic holds for a run: absence checks read the log, they do not wait for what never comes. */
  const published = async (topic: string, runId: string): Promise<number> => {
    const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = $1 AND key = $2`, [topic, runId]);
    return rows[0]!.n;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ff_exec');
    admin = new Pool({ connectionString: db.url, max: 2 });
    admin.on('error', () => undefined);
    const codec = new AvroCodec(new InMemorySchemaRegistry());
    // Two "processes" on one database: the orchestrator (the probe) and the executor replicas.
    const makeBus = (producer: string): PostgresEventBus => {
      const pool = new Pool({ connectionString: db.url, max: 20 });
      pool.on('error', () => undefined);
      return new PostgresEventBus({
        pool,
        endPoolOnClose: true,
        codec,
        producer,
        pollIntervalMs: 50,
        leaseMs: 1000,
        retentionIntervalMs: 0,
        logger: quiet,
        metrics: new Registry(),
      });
    };
    orchestratorBus = makeBus('orchestrator');
    await orchestratorBus.migrate();
    executorBus = makeBus('executor');
    probe = await OrchestratorProbe.attach(orchestratorBus);
  });

  afterAll(async () => {
    await probe?.close();
    await executorBus?.close();
    await orchestratorBus?.close();
    await admin?.end();
    await db?.drop();
  });

  describe('one replica of the builtin executor', () => {
    let executor: StepExecutor;
    const logs: Captured[] = [];

    beforeAll(async () => {
      executor = new StepExecutor({
        bus: executorBus,
        executor: 'builtin',
        jobTypes: [...builtinJobTypes, ...testJobTypes(gates)],
        instanceId: 'builtin-a',
        leaseMs: LEASE_MS,
        logger: capturingLogger(logs),
      });
      await executor.start();
    });

    afterAll(async () => {
      await executor?.stop();
    });

    it('announces itself and its job types with their config schemas', async () => {
      const reg = await probe.waitFor('ExecutorRegistered of builtin-a', (h) => h.registered.find((r) => r.instanceId === 'builtin-a'));
      expect(reg.executor).toBe('builtin');
      expect(reg.jobTypes.map((j) => j.type)).toEqual(['noop', 'sleep', 'fail', 'test.hold', 'test.stubborn', 'test.throws', 'test.chatty']);
      const sleep = reg.jobTypes.find((j) => j.type === 'sleep')!;
      expect({ version: sleep.version, description: sleep.description }).toEqual({ version: 1, description: builtinJobTypes[1]!.description });
      expect(JSON.parse(sleep.configSchema)).toEqual(builtinJobTypes[1]!.configSchema);
    });

    it('runs a sleep: started, progress, logs, then completed with outputs', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'sleep', config: { ms: 1200 } });
      const started = await probe.started(runId, 'step-1');
      expect(started).toMatchObject({ runId, stepId: 'step-1', attempt: 1, executor: 'builtin', instanceId: 'builtin-a', leaseMs: LEASE_MS });
      const { completed, failed } = await probe.outcome(runId, 'step-1');
      expect(failed).toBeUndefined();
      expect(completed).toMatchObject({ attempt: 1, outputs: '{"sleptMs":1200}', metrics: { sleptMs: 1200 } });
      // Logs are flushed before the outcome is published; progress events renew the lease meanwhile.
      // Both lines: they may come in two batches, on a topic of their own (the outcome may be heard first).
      const heard = await probe.waitFor('logs of the sleep', (h) =>
        h.log.filter((l) => l.runId === runId).flatMap((l) => l.lines).length >= 2 ? probe.of(runId) : undefined,
      );
      const lines = heard.log.flatMap((l) => l.lines);
      expect(lines.map((l) => [l.level, l.message, l.fields === null ? null : JSON.parse(l.fields)])).toEqual([
        ['info', 'sleeping', { ms: 1200 }],
        ['info', 'woke up', { sleptMs: 1200 }],
      ]);
      expect(heard.log.every((l) => l.occurredAt <= completed!.occurredAt && l.attempt === 1)).toBe(true);
      expect(heard.progress.length).toBeGreaterThan(0);
      for (const p of heard.progress) {
        expect(p.attempt).toBe(1);
        expect(p.percent).toBeGreaterThan(0);
        expect(p.percent).toBeLessThanOrEqual(100);
      }
      // The replica's own log carries progress and job lines with the attempt's identity, never the config.
      expect(logs.some((l) => l.message === 'progress' && l.context.runId === runId && l.context.attempt === 1)).toBe(true);
      expect(logs.some((l) => l.message === 'sleeping' && l.context.runId === runId && l.context.stepId === 'step-1')).toBe(true);
    });

    it('heartbeats with StepProgress at least every leaseMs while a job reports nothing', async () => {
      const runId = newRun();
      const gate = `heartbeat-${runId}`;
      await probe.dispatch('builtin', { runId, jobType: 'test.hold', config: { gate } });
      const started = await probe.started(runId, 'step-1');
      const beats = await probe.waitFor('3 heartbeats', (h) => {
        const mine = h.progress.filter((p) => p.runId === runId);
        return mine.length >= 3 ? mine : undefined;
      });
      gates.open(gate);
      const { completed } = await probe.outcome(runId, 'step-1');
      expect(completed?.outputs).toBe(JSON.stringify({ gate }));
      expect(beats.map((b) => [b.attempt, b.percent, b.message, b.metrics])).toEqual([
        [1, null, null, null],
        [1, null, null, null],
        [1, null, null, null],
      ]);
      // Nominally leaseMs / 3 apart; the generous bound is the lease itself.
      const times = [started.occurredAt, ...beats.map((b) => b.occurredAt)];
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(LEASE_MS);
    });

    it('completes a noop with outputs {}', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'noop' });
      const { completed } = await probe.outcome(runId, 'step-1');
      expect(completed).toMatchObject({ outputs: '{}', metrics: null });
    });

    it('fails a fail job with its code and retryable flag, and succeeds the attempt after failAttempts', async () => {
      const runId = newRun();
      const config = { message: 'boom', failAttempts: 1 };
      await probe.dispatch('builtin', { runId, jobType: 'fail', config, attempt: 1 });
      expect((await probe.outcome(runId, 'step-1', 1)).failed).toMatchObject({ errorCode: 'FF_BUILTIN_FAIL', errorMessage: 'boom', retryable: true });
      await probe.dispatch('builtin', { runId, jobType: 'fail', config, attempt: 2 });
      expect((await probe.outcome(runId, 'step-1', 2)).completed).toMatchObject({ attempt: 2, outputs: '{"succeededOnAttempt":2}' });

      const permanent = newRun();
      await probe.dispatch('builtin', { runId: permanent, jobType: 'fail', config: { message: 'no access', code: 'FF_TEST_DENIED', retryable: false } });
      expect((await probe.outcome(permanent, 'step-1')).failed).toMatchObject({ errorCode: 'FF_TEST_DENIED', errorMessage: 'no access', retryable: false });
    });

    it('reports any other thrown error as FF_JOB_FAILED, retryable, with URL passwords masked', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'test.throws' });
      expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({
        errorCode: 'FF_JOB_FAILED',
        errorMessage: 'could not reach postgres://etl:[redacted]@db:5432/sales',
        retryable: true,
      });
    });

    it('batches log lines into StepLog events, in order, with secrets masked everywhere', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'test.chatty', config: { password: 'hunter2-secret', lines: 450 } });
      await probe.outcome(runId, 'step-1');
      const events = await probe.waitFor('451 log lines', (h) => {
        const mine = h.log.filter((l) => l.runId === runId);
        return mine.reduce((n, l) => n + l.lines.length, 0) >= 451 ? mine : undefined;
      });
      const lines = events.flatMap((e) => e.lines);
      expect(lines).toHaveLength(451);
      expect(lines.slice(0, 450).map((l) => l.message)).toEqual(Array.from({ length: 450 }, (_, i) => `line ${i}`));
      expect(lines[1]!.level).toBe('debug');
      expect(events.length).toBeGreaterThanOrEqual(3);
      expect(events.every((e) => e.lines.length <= 200)).toBe(true);
      expect(JSON.parse(lines[0]!.fields!)).toEqual({ i: 0, password: '[redacted]', dsn: 'postgres://etl:[redacted]@db/x' });
      expect(lines[450]).toMatchObject({ level: 'error', message: 'connect to postgres://etl:[redacted]@db/x failed' });
      expect(JSON.stringify(events)).not.toContain('hunter2');
      const mine = logs.filter((l) => l.context.runId === runId);
      expect(mine.filter((l) => /^line \d+$/.test(l.message))).toHaveLength(450);
      expect(JSON.stringify(logs)).not.toContain('hunter2');
    });

    it('refuses an invalid config with FF_JOB_CONFIG_INVALID naming the field, without starting', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'sleep', config: { ms: -1 } });
      const { failed } = await probe.outcome(runId, 'step-1');
      expect(failed).toMatchObject({ errorCode: 'FF_JOB_CONFIG_INVALID', retryable: false });
      expect(failed!.errorMessage).toContain('config.ms must be >= 0');
      // StepFailed was published in the dispatch transaction; a StepStarted would have committed with it.
      expect(await published('flowforge.step.started', runId)).toBe(0);

      const notJson = newRun();
      await probe.dispatch('builtin', { runId: notJson, jobType: 'noop', configText: '{oops' });
      expect((await probe.outcome(notJson, 'step-1')).failed).toMatchObject({ errorCode: 'FF_JOB_CONFIG_INVALID', retryable: false });
    });

    it('refuses an unknown job type with FF_JOB_TYPE_UNKNOWN, without starting', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'spark.submit' });
      const { failed } = await probe.outcome(runId, 'step-1');
      expect(failed).toMatchObject({ errorCode: 'FF_JOB_TYPE_UNKNOWN', retryable: false });
      expect(failed!.errorMessage).toContain('"spark.submit"');
      expect(failed!.errorMessage).toContain('noop, sleep, fail');
      expect(await published('flowforge.step.started', runId)).toBe(0);
    });

    it('fails a dispatch whose deadline has passed without running it', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'noop', deadlineAt: Date.now() - 1000 });
      expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({ errorCode: 'FF_STEP_DEADLINE_EXCEEDED', retryable: false });
      expect(await published('flowforge.step.started', runId)).toBe(0);
    });

    it('aborts a running job at its deadline', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'sleep', config: { ms: 600_000 }, deadlineAt: Date.now() + 1500 });
      await probe.started(runId, 'step-1');
      expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({ errorCode: 'FF_STEP_DEADLINE_EXCEEDED', retryable: false });
    });

    it('aborts a running attempt on StepCancelRequested, ignoring cancels of other attempts', async () => {
      const runId = newRun();
      await probe.dispatch('builtin', { runId, jobType: 'sleep', config: { ms: 600_000 } });
      await probe.started(runId, 'step-1');
      // Same key, same topic: handled in this order. Had the first one aborted the sleep, its reason would show.
      await probe.cancel({ runId, attempt: 7, reason: 'attempt 7 timed out' });
      await probe.cancel({ runId, attempt: 1, reason: 'run cancelled by alice' });
      expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({
        errorCode: 'FF_STEP_CANCELLED',
        errorMessage: 'the attempt was cancelled: run cancelled by alice',
        retryable: false,
      });
    });

    it('refuses a dispatch whose cancel arrived first (the two travel on different topics)', async () => {
      const runId = newRun();
      const cancelId = await probe.cancel({ runId, reason: 'run cancelled before it started' });
      await waitUntil('the replica handled the cancel', async () => {
        // A broadcast group: the prefix, then the bus's per-replica suffix.
        const { rows } = await admin.query(`SELECT 1 FROM ff_bus.inbox WHERE starts_with(group_id, $1) AND event_id = $2`, [
          `${cancelGroup('builtin', 'builtin-a')}.`,
          cancelId,
        ]);
        return rows.length > 0;
      });
      await probe.dispatch('builtin', { runId, jobType: 'noop' });
      expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({ errorCode: 'FF_STEP_CANCELLED', retryable: false });
      expect(await published('flowforge.step.started', runId)).toBe(0);
    });

    it('never runs one attempt twice when its dispatch is delivered again', async () => {
      const runId = newRun();
      const gate = `dup-${runId}`;
      const dispatch = { runId, jobType: 'test.hold', config: { gate } };
      await probe.dispatch('builtin', dispatch);
      await probe.started(runId, 'step-1');
      // While it runs: announced again (the first StepStarted may have rolled back with its batch), not run again.
      await probe.dispatch('builtin', dispatch);
      const again = await probe.started(runId, 'step-1', 1, 2);
      expect(again.instanceId).toBe('builtin-a');
      expect(gates.executions.get(gate)).toBe(1);
      gates.open(gate);
      expect((await probe.outcome(runId, 'step-1')).completed).toBeDefined();
      // After it finished: acknowledged, nothing published. The sentinel on the same key is handled after it.
      await probe.dispatch('builtin', dispatch);
      await probe.dispatch('builtin', { runId, stepId: 'sentinel', jobType: 'noop' });
      await probe.outcome(runId, 'sentinel');
      expect(gates.executions.get(gate)).toBe(1);
      expect(probe.of(runId).started.filter((s) => s.stepId === 'step-1')).toHaveLength(2);
      expect(await published('flowforge.step.completed', runId)).toBe(2); // step-1 and the sentinel
    });
  });

  describe('saturation and shutdown', () => {
    const replicas: StepExecutor[] = [];
    const replica = async (executor: StepExecutorName, instanceId: string, maxConcurrentSteps: number): Promise<StepExecutor> => {
      const ex = new StepExecutor({
        bus: executorBus,
        executor,
        jobTypes: [...builtinJobTypes, ...testJobTypes(gates)],
        instanceId,
        leaseMs: LEASE_MS,
        maxConcurrentSteps,
        abortGraceMs: 1000,
        logger: capturingLogger([]),
      });
      replicas.push(ex);
      await ex.start();
      return ex;
    };

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
    });

    it('runs at most maxConcurrentSteps attempts; the next dispatch waits without holding back the others', async () => {
      const ex = await replica('reconciliation', 'recon-a', 2);
      // One run, one key, one atomic publish: the three dispatches reach the replica in ONE bus batch.
      const runId = newRun();
      const steps = ['s1', 's2', 's3'];
      gates.maxRunning = 0;
      await probe.dispatchMany(
        'reconciliation',
        steps.map((stepId) => ({ runId, stepId, jobType: 'test.hold', config: { gate: `${runId}/${stepId}` } })),
      );
      await waitUntil('two attempts running and one dispatch waiting', () => {
        const s = ex.status();
        return s.running === 2 && s.waiting === 1;
      });
      // The StepStarted of the first two committed although the third dispatch of their batch still waits.
      const started = await probe.waitFor('two started', (h) => {
        const s = h.started.filter((e) => e.runId === runId);
        return s.length === 2 ? s.map((e) => e.stepId) : undefined;
      });
      expect(started.sort()).toEqual(['s1', 's2']);
      expect(gates.maxRunning).toBe(2);

      gates.open(`${runId}/s1`);
      await probe.outcome(runId, 's1');
      expect(await probe.started(runId, 's3')).toMatchObject({ instanceId: 'recon-a' });
      gates.open(`${runId}/s2`);
      gates.open(`${runId}/s3`);
      for (const stepId of steps) expect((await probe.outcome(runId, stepId)).completed).toBeDefined();
      expect(gates.maxRunning).toBe(2);
      expect(probe.of(runId).started).toHaveLength(3);
    });

    it('fails a dispatch cancelled while it waits for a slot, without starting it', async () => {
      const ex = await replica('ingestion', 'ingest-a', 1);
      const [running, queued] = [newRun(), newRun()];
      await probe.dispatch('ingestion', { runId: running, jobType: 'test.hold', config: { gate: running } });
      await probe.started(running, 'step-1');
      await probe.dispatch('ingestion', { runId: queued, jobType: 'noop' });
      await waitUntil('the noop waits for the slot', () => ex.status().waiting === 1);
      await probe.cancel({ runId: queued, reason: 'run cancelled while queued' });
      expect((await probe.outcome(queued, 'step-1')).failed).toMatchObject({ errorCode: 'FF_STEP_CANCELLED', retryable: false });
      expect(await published('flowforge.step.started', queued)).toBe(0);
      gates.open(running);
      expect((await probe.outcome(running, 'step-1')).completed).toBeDefined();
    });

    it('stops gracefully: running jobs end FF_STEP_INTERRUPTED, waiting and later dispatches go to the next replica', async () => {
      const first = await replica('quality', 'quality-a', 2);
      const [sleeping, stubborn, queued, later] = [newRun(), newRun(), newRun(), newRun()];
      await probe.dispatch('quality', { runId: sleeping, jobType: 'sleep', config: { ms: 600_000 } });
      await probe.dispatch('quality', { runId: stubborn, jobType: 'test.stubborn', config: { gate: stubborn } });
      await probe.started(sleeping, 'step-1');
      await probe.started(stubborn, 'step-1');
      await probe.dispatch('quality', { runId: queued, jobType: 'noop' });
      await waitUntil('the noop waits for a slot', () => first.status().waiting === 1);
      // The replica's cancel subscription is a broadcast group of its own, started at the log's head.
      const prefix = `${cancelGroup('quality', 'quality-a')}.`;
      const cancelGroups = async (): Promise<string[]> =>
        (
          await admin.query<{ group_id: string }>(
            `SELECT DISTINCT group_id FROM ff_bus.consumer_partitions WHERE topic = 'flowforge.step.cancel-requested' AND starts_with(group_id, $1)`,
            [prefix],
          )
        ).rows.map((r) => r.group_id);
      expect(await cancelGroups()).toHaveLength(1);
      // Earlier tests published cancels; the replica started after them and handled none (a group starting
      // at offset 0 would have, and every new replica would replay the whole topic).
      const earlier = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_bus.log WHERE topic = 'flowforge.step.cancel-requested'`);
      expect(earlier.rows[0]!.n).toBeGreaterThan(0);
      const handledCancels = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_bus.inbox WHERE starts_with(group_id, $1)`, [prefix]);
      expect(handledCancels.rows[0]!.n).toBe(0);

      await first.stop();
      expect(first.status()).toEqual({ state: 'stopped', running: 0, waiting: 0 });
      // ...and the group goes with the replica, instead of piling up one per start forever.
      expect(await cancelGroups()).toEqual([]);
      // The job that honours its signal and the one that ignores it (reported after the grace period).
      for (const runId of [sleeping, stubborn]) {
        expect((await probe.outcome(runId, 'step-1')).failed).toMatchObject({
          errorCode: 'FF_STEP_INTERRUPTED',
          errorMessage: 'executor replica quality-a shut down while the attempt was running',
          retryable: true,
        });
      }
      expect(await published('flowforge.step.started', queued)).toBe(0);

      await probe.dispatch('quality', { runId: later, jobType: 'noop' });
      await replica('quality', 'quality-b', 2);
      for (const runId of [queued, later]) {
        expect(await probe.started(runId, 'step-1')).toMatchObject({ instanceId: 'quality-b' });
        expect((await probe.outcome(runId, 'step-1')).completed).toMatchObject({ outputs: '{}' });
      }
      gates.open(stubborn);
    });
  });
});
