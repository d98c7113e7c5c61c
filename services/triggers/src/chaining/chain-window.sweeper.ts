import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { withTransaction } from '@flowforge/db';
import { LOGGER, serviceConfigToken, servicePoolToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { CHAINING_CLOCK, type ChainingClock } from './chaining.clock';
import type { ChainingConfig } from './chaining.config';
import { ChainWaitStore } from './chain-wait.store';
import { WorkflowChain } from './workflow-chain.service';
import { WorkflowTriggerIndex } from './workflow-trigger.index';

/** Windows settled per sweep; the next sweep takes the rest. */
const BATCH = 100;
/** A window whose trigger no replica has started (disabled, deleted) is closed as abandoned this long after its deadline. */
const ABANDON_AFTER_MS = 24 * 3_600_000;
const DAY_MS = 86_400_000;

export interface ChainSweepReport {
  settled: number;
  abandoned: number;
  pruned: number;
}

/**
 * Settles wait-for-all windows that ended incomplete (timeoutAction fire or skip) every
 * FLOWFORGE_TRIGGERS_CHAIN_SWEEP_MS, and prunes the record past its retention. Each window is settled in
 * its own transaction, locked with SKIP LOCKED, so replicas sweep side by side and a window a bus
 * handler holds right now is left for the next sweep. Time comes from the injected clock.
 */
@Injectable()
export class ChainWindowSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    @Inject(servicePoolToken('triggers')) private readonly pool: Pool,
    @Inject(serviceConfigToken('triggers')) private readonly config: ChainingConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    @Inject(CHAINING_CLOCK) private readonly clock: ChainingClock,
    private readonly store: ChainWaitStore,
    private readonly chain: WorkflowChain,
    private readonly index: WorkflowTriggerIndex,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.sweepOnce()
        .catch((err: unknown) => this.logger.error({ err }, `FF_TRIGGER_CHAIN_SWEEP: ${(err as Error).message}`))
        .finally(() => {
          this.current = null;
          this.schedule();
        });
    }, this.config.FLOWFORGE_TRIGGERS_CHAIN_SWEEP_MS);
    this.timer.unref();
  }

  /** One sweep at the clock's now (also called by tests, after moving their clock). */
  async sweepOnce(): Promise<ChainSweepReport> {
    const now = this.clock.now();
    const report: ChainSweepReport = { settled: 0, abandoned: 0, pruned: 0 };
    for (const id of await this.store.expiredWaits(this.pool, now, BATCH)) {
      if (this.stopped) break;
      await withTransaction(this.pool, async (tx) => {
        const w = await this.store.lockExpiredWait(tx, id, now);
        if (!w) return;
        const t = this.index.get(w.triggerId);
        if (t) {
          await this.chain.settleTimedOut(tx, t, w, now);
          report.settled++;
        } else if (now.getTime() - w.deadlineAt.getTime() > ABANDON_AFTER_MS) {
          const reason = `trigger ${w.triggerId} was not running on any replica for a day after its window ended (disabled or deleted)`;
          await this.store.closeWait(tx, w.id, { state: 'abandoned', closedAt: now, reason });
          await this.store.settleWaitArrivals(tx, w.id, 'wait_abandoned', reason, null, null);
          report.abandoned++;
        }
        // Otherwise another replica that has the trigger started settles it.
      });
    }
    report.pruned = await this.store.prune(this.pool, new Date(now.getTime() - this.config.FLOWFORGE_TRIGGERS_CHAIN_RETENTION_DAYS * DAY_MS), 1_000);
    return report;
  }
}
