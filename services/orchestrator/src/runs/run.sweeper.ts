import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { OrchestratorConfig } from '../orchestrator.config';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { FairShareGate } from './fair-share.gate';
import { RunAdmission } from './run.admission';
import { RunEngine } from './run.engine';
import { RunOutbox } from './run.outbox';
import { RunScopes } from './run.scopes';
import { RunStepStore } from './run-step.store';
import { RunStore } from './run.store';
import { SweepAlarm } from './sweep.alarm';

/** Runs handled per sweep and kind; the next sweep takes the rest. */
const BATCH = 200;

export interface SweepReport {
  runs: number;
  promoted: number;
}

/**
 * The time-driven half of the engine (the event-driven half is the step handlers): every
 * FLOWFORGE_ORCHESTRATOR_SWEEP_MS it applies run timeouts, step timeouts, expired leases and due
 * retries, sends steps fair share held back once their requester has room (an attempt ending wakes it
 * early while steps are held), and starts queued runs that now have a slot. Each run is handled in its
 * own short transaction, locked with SKIP LOCKED: several replicas sweep side by side, and a run a step
 * handler holds right now is simply left for the next sweep.
 */
@Injectable()
export class RunSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Number.POSITIVE_INFINITY;
  private current: Promise<unknown> | null = null;
  private stopped = false;
  private again = false;

  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly runs: RunStore,
    private readonly steps: RunStepStore,
    private readonly scopes: RunScopes,
    private readonly engine: RunEngine,
    private readonly admission: RunAdmission,
    private readonly outbox: RunOutbox,
    private readonly fairShare: FairShareGate,
    alarm: SweepAlarm,
  ) {
    alarm.listen((inMs) => this.schedule(inMs + 5));
  }

  onApplicationBootstrap(): void {
    this.schedule(this.config.FLOWFORGE_ORCHESTRATOR_SWEEP_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  /** One full sweep (also called by tests). */
  async sweepOnce(): Promise<SweepReport> {
    const ids = new Set([...(await this.runs.pastDeadline(this.pool, BATCH)), ...(await this.steps.dueRuns(this.pool, BATCH))]);
    if (this.fairShare.enabled && (await this.steps.anyHeld(this.pool))) {
      // Held steps whose requester has room again (one of its attempts ended, maybe on another replica).
      this.fairShare.noteHeld();
      for (const id of await this.steps.heldRunsWithRoom(this.pool, this.fairShare.by, this.fairShare.caps(), BATCH)) ids.add(id);
    }
    let runs = 0;
    for (const id of ids) {
      if (this.stopped) break;
      try {
        const handled = await this.outbox.transaction(this.pool, async (tx) => {
          const scope = await this.scopes.tryOpen(tx, id);
          if (!scope) return false;
          await this.engine.sweep(scope);
          await this.admission.afterChange(scope);
          return true;
        });
        if (handled) runs++;
      } catch (err) {
        this.logger.warn({ runId: id, err }, `FF_SWEEP_FAILED: sweeping run ${id} failed; the next sweep retries`);
      }
    }
    let promoted = 0;
    for (const workflow of await this.runs.workflowsWithQueuedRuns(this.pool, BATCH)) {
      if (this.stopped) break;
      try {
        promoted += await this.outbox.transaction(this.pool, (tx) => this.admission.promote(tx, workflow));
      } catch (err) {
        this.logger.warn({ workflow, err }, `FF_SWEEP_FAILED: starting queued runs of workflow "${workflow}" failed; the next sweep retries`);
      }
    }
    return { runs, promoted };
  }

  private schedule(inMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + inMs;
    if (this.timer && at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => void this.tick(), inMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.nextAt = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    if (this.current) {
      // A sweep is under way; an alarm that fired meanwhile gets one more right after it.
      this.again = true;
      return;
    }
    do {
      this.again = false;
      this.current = this.sweepOnce().catch((err: unknown) => this.logger.warn({ err }, 'FF_SWEEP_FAILED: sweep failed; the next one retries'));
      await this.current;
      this.current = null;
    } while (this.again && !this.stopped);
    this.schedule(this.config.FLOWFORGE_ORCHESTRATOR_SWEEP_MS);
  }
}
