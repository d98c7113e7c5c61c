import { Inject, Injectable } from '@nestjs/common';
import { serviceConfigToken } from '@flowforge/service-kit';
import { executorSlots, type OrchestratorConfig } from '../orchestrator.config';
import type { RunRecord, StepRecord } from './run.records';
import type { RunScope } from './run.scope';
import { RunStepStore, type ShareKey } from './run-step.store';
import { SweepAlarm } from './sweep.alarm';

/** A held step is looked at again this long after a slot freed (the freeing transaction commits first). */
const FREED_SLOT_SWEEP_MS = 20;
/** After the last sign of a held step, freed slots keep waking the sweeper this long. */
const HELD_MEMORY_MS = 60_000;

const isOut = (s: StepRecord): boolean => s.state === 'queued' || s.state === 'running';

/**
 * Fair share of executor pools. An executor takes dispatches from its topic in order and keeps what it
 * took until it ends, so one requester dispatching faster than others (a hundred hour-long sleeps) would
 * hold every slot of the pool for hours while everyone else's steps queue behind. The orchestrator is
 * where dispatch is decided, so the bound lives here and holds for every pool: a requester (or, with
 * FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY=workflow, a workflow) has at most FAIR_SHARE_PERCENT of a pool's
 * slots out (dispatched or running) at once. Its further steps wait in the orchestrator (`heldAt`), not
 * in the executor's queue, and go out oldest first as its own attempts end.
 *
 * The bound holds even while the pool is otherwise idle: there is no preemption, so a share taken while
 * nobody else waits would still be held when someone comes. Two transactions dispatching for one key at
 * the same moment may each see the last free slot (no lock: handlers of a batch hold several runs, a
 * blocking lock here could deadlock with them), so a key can briefly exceed its share by that much.
 */
@Injectable()
export class FairShareGate {
  private readonly slots: { byExecutor: Map<string, number>; other: number };
  private readonly percent: number;
  readonly by: ShareKey;
  private heldSeenAt = 0;

  constructor(
    @Inject(serviceConfigToken('orchestrator')) config: OrchestratorConfig,
    private readonly steps: RunStepStore,
    private readonly alarm: SweepAlarm,
  ) {
    this.slots = executorSlots(config.FLOWFORGE_ORCHESTRATOR_EXECUTOR_SLOTS);
    this.percent = config.FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_PERCENT;
    this.by = config.FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY;
  }

  get enabled(): boolean {
    return this.percent < 100;
  }

  slotsOf(executor: string): number {
    return this.slots.byExecutor.get(executor) ?? this.slots.other;
  }

  /** Attempts out one key may have on `executor`: its share of the pool, at least one. */
  capOf(executor: string): number {
    return Math.max(1, Math.floor((this.slotsOf(executor) * this.percent) / 100));
  }

  /** Caps of the configured executors and of every other one, for the sweeper's query. */
  caps(): { executors: string[]; caps: number[]; other: number } {
    const executors = [...this.slots.byExecutor.keys()];
    return { executors, caps: executors.map((e) => this.capOf(e)), other: this.capOf('*') };
  }

  keyOf(run: RunRecord): string {
    return this.by === 'workflow' ? run.workflowName : run.requestedBy;
  }

  /**
   * Splits steps about to be dispatched into those that go now and those held back, in order. A step
   * whose attempt is out already (a lost attempt being replaced) keeps the slot it holds.
   */
  async split(scope: RunScope, steps: StepRecord[]): Promise<{ go: StepRecord[]; held: { step: StepRecord; reason: string }[] }> {
    if (!this.enabled) return { go: steps, held: [] };
    const key = this.keyOf(scope.run);
    const out = new Map<string, number>();
    const go: StepRecord[] = [];
    const held: { step: StepRecord; reason: string }[] = [];
    for (const step of steps) {
      if (isOut(step)) {
        go.push(step);
        continue;
      }
      let n = out.get(step.executor);
      if (n === undefined) n = await this.steps.outCount(scope.tx, step.executor, this.by, key);
      const cap = this.capOf(step.executor);
      if (n < cap) {
        go.push(step);
        out.set(step.executor, n + 1);
      } else {
        out.set(step.executor, n);
        held.push({ step, reason: this.heldReason(step.executor, key, n) });
      }
    }
    if (held.length) this.heldSeenAt = Date.now();
    return { go, held };
  }

  /** The sweeper saw held steps (this or another replica held them): freed slots should wake it. */
  noteHeld(): void {
    this.heldSeenAt = Date.now();
  }

  /** A step's attempt ended in this transaction: if steps are held, the sweeper looks for one to send. */
  slotFreed(): void {
    if (Date.now() - this.heldSeenAt < HELD_MEMORY_MS) this.alarm.request(FREED_SLOT_SWEEP_MS);
  }

  private heldReason(executor: string, key: string, n: number): string {
    const who = this.by === 'workflow' ? `workflow "${key}"` : `requester "${key}"`;
    return (
      `FF_STEP_FAIR_SHARE: waiting for a slot of executor "${executor}": ${who} has ${n} attempt(s) out, its fair share ` +
      `(FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_PERCENT ${this.percent} % of ${this.slotsOf(executor)} slots); it goes out when one of them ends`
    );
  }
}
