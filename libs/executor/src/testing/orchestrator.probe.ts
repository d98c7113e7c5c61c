import { randomUUID } from 'node:crypto';
import type { EventBus, Subscription } from '@flowforge/bus';
import {
  ExecutorRegistered,
  StepCancelRequested,
  StepCompleted,
  StepDispatched,
  StepFailed,
  StepLog,
  StepProgress,
  StepStarted,
  stepDispatchedTopic,
  type EventDefinition,
  type EventEnvelope,
  type EventInput,
  type ExecutorRegisteredEvent,
  type StepCompletedEvent,
  type StepDispatchedEvent,
  type StepExecutor as StepExecutorName,
  type StepFailedEvent,
  type StepLogEvent,
  type StepProgressEvent,
  type StepStartedEvent,
} from '@flowforge/contracts';

/** Everything an executor says, by kind. */
export interface HeardEvents {
  registered: ExecutorRegisteredEvent[];
  started: StepStartedEvent[];
  progress: StepProgressEvent[];
  log: StepLogEvent[];
  completed: StepCompletedEvent[];
  failed: StepFailedEvent[];
}

type Waiter = { check: () => boolean };

export interface DispatchSpec {
  runId: string;
  stepId?: string;
  attempt?: number;
  jobType: string;
  jobVersion?: string;
  config?: unknown;
  /** Raw config text (to send something that is not JSON). */
  configText?: string;
  deadlineAt?: number | null;
}

function dispatchOf(executor: StepExecutorName, d: DispatchSpec): EventInput<StepDispatchedEvent> {
  return {
    runId: d.runId,
    stepId: d.stepId ?? 'step-1',
    attempt: d.attempt ?? 1,
    jobType: d.jobType,
    jobVersion: d.jobVersion ?? '1',
    executor,
    config: d.configText ?? JSON.stringify(d.config ?? {}),
    deadlineAt: d.deadlineAt ?? null,
  };
}

/**
 * TEST HELPER — plays the orchestrator against a real executor: publishes StepDispatched and
 * StepCancelRequested, hears every executor → orchestrator event, and lets a test await the event it
 * expects instead of sleeping.
 */
export class OrchestratorProbe {
  readonly heard: HeardEvents = { registered: [], started: [], progress: [], log: [], completed: [], failed: [] };
  private readonly subs: Subscription[] = [];
  private readonly waiters = new Set<Waiter>();

  private constructor(private readonly bus: EventBus) {}

  static async attach(bus: EventBus): Promise<OrchestratorProbe> {
    const probe = new OrchestratorProbe(bus);
    const group = `probe-${randomUUID().slice(0, 8)}`;
    const listen = async <T extends EventEnvelope>(def: EventDefinition<T>, into: T[]): Promise<void> => {
      probe.subs.push(
        await bus.subscribe(def, { group }, async (ev) => {
          into.push(ev);
          for (const w of probe.waiters) w.check();
        }),
      );
    };
    await listen(ExecutorRegistered, probe.heard.registered);
    await listen(StepStarted, probe.heard.started);
    await listen(StepProgress, probe.heard.progress);
    await listen(StepLog, probe.heard.log);
    await listen(StepCompleted, probe.heard.completed);
    await listen(StepFailed, probe.heard.failed);
    return probe;
  }

  /** The events of one run (every step event is keyed and filtered by runId). */
  of(runId: string): Omit<HeardEvents, 'registered'> {
    const mine = <E extends { runId: string }>(list: E[]): E[] => list.filter((e) => e.runId === runId);
    const h = this.heard;
    return { started: mine(h.started), progress: mine(h.progress), log: mine(h.log), completed: mine(h.completed), failed: mine(h.failed) };
  }

  /** Resolves with `pick`'s first non-undefined answer, re-asked on every event heard. */
  waitFor<R>(what: string, pick: (heard: HeardEvents) => R | undefined, timeoutMs = 20_000): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const found = pick(this.heard);
          if (found === undefined) return false;
          this.waiters.delete(waiter);
          clearTimeout(timer);
          resolve(found);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const counts = Object.entries(this.heard)
          .map(([k, v]) => `${k}=${(v as unknown[]).length}`)
          .join(' ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${what} (heard ${counts})`));
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  /** The run's terminal event for an attempt (completed or failed). */
  outcome(runId: string, stepId: string, attempt = 1): Promise<{ completed?: StepCompletedEvent; failed?: StepFailedEvent }> {
    return this.waitFor(`outcome of ${runId}/${stepId}#${attempt}`, (h) => {
      const match = (e: { runId: string; stepId: string; attempt: number }): boolean => e.runId === runId && e.stepId === stepId && e.attempt === attempt;
      const completed = h.completed.find(match);
      const failed = h.failed.find(match);
      return completed || failed ? { completed, failed } : undefined;
    });
  }

  started(runId: string, stepId: string, attempt = 1, nth = 1): Promise<StepStartedEvent> {
    return this.waitFor(
      `StepStarted #${nth} of ${runId}/${stepId}#${attempt}`,
      (h) => h.started.filter((e) => e.runId === runId && e.stepId === stepId && e.attempt === attempt)[nth - 1],
    );
  }

  async dispatch(executor: StepExecutorName, d: DispatchSpec): Promise<StepDispatchedEvent> {
    return this.bus.publish(StepDispatched, dispatchOf(executor, d), { key: d.runId, topic: stepDispatchedTopic(executor) });
  }

  /** One atomic publish: consumers see all of them at once, so one consumer batch holds them together. */
  async dispatchMany(executor: StepExecutorName, ds: DispatchSpec[]): Promise<StepDispatchedEvent[]> {
    return this.bus.publishMany(
      StepDispatched,
      ds.map((d) => ({ key: d.runId, event: dispatchOf(executor, d) })),
      { topic: stepDispatchedTopic(executor) },
    );
  }

  async cancel(c: { runId: string; stepId?: string; attempt?: number; reason: string }): Promise<string> {
    const ev = await this.bus.publish(
      StepCancelRequested,
      { runId: c.runId, stepId: c.stepId ?? 'step-1', attempt: c.attempt ?? 1, reason: c.reason },
      { key: c.runId },
    );
    return ev.eventId;
  }

  async close(): Promise<void> {
    await Promise.all(this.subs.map((s) => s.close()));
  }
}
