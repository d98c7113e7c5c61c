import type { EventBus, Subscription } from '@flowforge/bus';
import {
  ExecutorRegistered,
  StepCompleted,
  StepDispatched,
  stepDispatchedTopic,
  StepFailed,
  StepLog,
  StepProgress,
  StepStarted,
  type StepDispatchedEvent,
  type StepExecutor,
  type StepLogLine,
} from '@flowforge/contracts';
import type { Pool } from 'pg';
import { waitFor } from './orchestrator.harness';

/**
 * An executor the test drives by hand: it announces a job type, records every StepDispatched on its
 * topic, and answers only when told — so a test can play a dead executor (never answer), a slow one
 * (answer late) or a lost lease (start, then go silent).
 */
export class FakeExecutor {
  readonly dispatched: StepDispatchedEvent[] = [];
  private sub: Subscription | null = null;

  constructor(
    private readonly bus: EventBus,
    readonly executor: StepExecutor,
    readonly instanceId = `fake-${executor}`,
  ) {}

  static async start(bus: EventBus, pool: Pool, executor: StepExecutor, types: string[]): Promise<FakeExecutor> {
    const fake = new FakeExecutor(bus, executor);
    fake.sub = await bus.subscribe(StepDispatched, { group: `fake-${executor}`, topic: stepDispatchedTopic(executor) }, async (e) => {
      fake.dispatched.push(e);
    });
    await bus.publish(
      ExecutorRegistered,
      {
        executor,
        instanceId: fake.instanceId,
        jobTypes: types.map((type) => ({
          type,
          version: 1,
          configSchema: JSON.stringify({ type: 'object', properties: { size: { type: 'integer' } } }),
          description: `test type ${type}`,
        })),
      },
      { key: executor },
    );
    await waitFor(`job types ${types.join(', ')} registered`, async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ff_orchestrator.job_types WHERE type = ANY($1)`, [types]);
      return rows[0].n === types.length ? true : undefined;
    });
    return fake;
  }

  /** The dispatch of `stepId`'s `attempt` of `runId`, once it arrived. */
  waitDispatch(runId: string, stepId: string, attempt: number, timeoutMs = 15_000): Promise<StepDispatchedEvent> {
    return waitFor(
      `dispatch of ${stepId}#${attempt} of run ${runId}`,
      async () => this.dispatched.find((d) => d.runId === runId && d.stepId === stepId && d.attempt === attempt),
      timeoutMs,
    );
  }

  async started(d: StepDispatchedEvent, leaseMs: number): Promise<void> {
    await this.bus.publish(
      StepStarted,
      { runId: d.runId, stepId: d.stepId, attempt: d.attempt, executor: this.executor, instanceId: this.instanceId, leaseMs },
      { key: d.runId },
    );
  }

  async progress(d: StepDispatchedEvent, percent: number | null, message: string | null = null, metrics: Record<string, number> | null = null): Promise<void> {
    await this.bus.publish(StepProgress, { runId: d.runId, stepId: d.stepId, attempt: d.attempt, percent, message, metrics }, { key: d.runId });
  }

  async log(d: StepDispatchedEvent, ...messages: string[]): Promise<void> {
    const lines: StepLogLine[] = messages.map((message) => ({ at: Date.now(), level: 'info', message, fields: JSON.stringify({ n: message.length }) }));
    await this.bus.publish(StepLog, { runId: d.runId, stepId: d.stepId, attempt: d.attempt, lines }, { key: d.runId });
  }

  /** One StepLog batch whose lines carry the given timestamps (ms since the epoch), in this order. */
  async logAt(d: StepDispatchedEvent, lines: [at: number, message: string][]): Promise<void> {
    const batch: StepLogLine[] = lines.map(([at, message]) => ({ at, level: 'info', message, fields: null }));
    await this.bus.publish(StepLog, { runId: d.runId, stepId: d.stepId, attempt: d.attempt, lines: batch }, { key: d.runId });
  }

  async completed(d: StepDispatchedEvent, outputs: Record<string, unknown> = {}): Promise<void> {
    await this.bus.publish(
      StepCompleted,
      { runId: d.runId, stepId: d.stepId, attempt: d.attempt, outputs: JSON.stringify(outputs), metrics: null },
      { key: d.runId },
    );
  }

  async failed(d: StepDispatchedEvent, errorCode: string, errorMessage: string, retryable: boolean): Promise<void> {
    await this.bus.publish(StepFailed, { runId: d.runId, stepId: d.stepId, attempt: d.attempt, errorCode, errorMessage, retryable }, { key: d.runId });
  }

  async close(): Promise<void> {
    await this.sub?.close();
  }
}
