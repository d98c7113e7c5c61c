import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { OrchestratorConfig } from '../orchestrator.config';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';

/** How often retention runs: old rows are not urgent, and each pass is bounded. */
const PERIOD_MS = 10 * 60_000;

export interface RetentionLimits {
  /** Finished runs taken per batch. */
  runsPerBatch: number;
  /** Rows one DELETE removes at most (short statements: no long lock on the feed tables). */
  rowsPerDelete: number;
  /** Batches per pass; the next pass takes the rest. */
  batchesPerPass: number;
}

const DEFAULT_LIMITS: RetentionLimits = { runsPerBatch: 100, rowsPerDelete: 5_000, batchesPerPass: 50 };

export interface RetentionReport {
  runs: number;
  logs: number;
  transitions: number;
}

/**
 * Retention of the run feed: the log lines and state transitions of runs that finished more than
 * FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS ago are deleted (0 = kept forever); the run, its steps and
 * attempts stay. Work is bounded: runs in batches (oldest first), rows in short DELETEs, a pass stops
 * after a number of batches. A pruned run is marked (`feed_pruned_at`), so a pass never rescans it.
 * Replicas may prune side by side: the DELETEs are idempotent.
 */
@Injectable()
export class RunFeedRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS > 0) this.schedule(PERIOD_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  /** One bounded pass (also called by tests); nothing when retention is 0 (keep forever). */
  async pruneOnce(limits: RetentionLimits = DEFAULT_LIMITS): Promise<RetentionReport> {
    const report: RetentionReport = { runs: 0, logs: 0, transitions: 0 };
    const days = this.config.FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS;
    if (days === 0) return report;
    for (let batch = 0; batch < limits.batchesPerPass && !this.stopped; batch++) {
      const { rows } = await this.pool.query<{ id: string }>(
        `SELECT id FROM ff_orchestrator.runs
         WHERE finished_at IS NOT NULL AND feed_pruned_at IS NULL AND finished_at < now() - make_interval(days => $1)
         ORDER BY finished_at LIMIT $2`,
        [days, limits.runsPerBatch],
      );
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.id);
      report.logs += await this.deleteAll('run_logs', ids, limits.rowsPerDelete);
      report.transitions += await this.deleteAll('run_transitions', ids, limits.rowsPerDelete);
      await this.pool.query(`UPDATE ff_orchestrator.runs SET feed_pruned_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
      report.runs += ids.length;
    }
    return report;
  }

  /** Deletes the rows of `runIds` in `table`, at most `perDelete` per statement. */
  private async deleteAll(table: 'run_logs' | 'run_transitions', runIds: string[], perDelete: number): Promise<number> {
    let total = 0;
    for (;;) {
      const res = await this.pool.query(
        `DELETE FROM ff_orchestrator.${table} WHERE id IN (SELECT id FROM ff_orchestrator.${table} WHERE run_id = ANY($1::uuid[]) LIMIT $2)`,
        [runIds, perDelete],
      );
      total += res.rowCount ?? 0;
      if ((res.rowCount ?? 0) < perDelete || this.stopped) return total;
    }
  }

  private schedule(inMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), inMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.current = this.pruneOnce()
      .then((r) => {
        if (r.runs > 0)
          this.logger.info(
            { ...r },
            `pruned the logs and transitions of ${r.runs} runs finished more than ${this.config.FLOWFORGE_ORCHESTRATOR_LOG_RETENTION_DAYS} days ago`,
          );
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'FF_RETENTION_FAILED: pruning old run logs failed; the next pass retries'));
    await this.current;
    this.current = null;
    this.schedule(PERIOD_MS);
  }
}
