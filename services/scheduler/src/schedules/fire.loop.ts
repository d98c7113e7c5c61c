import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { LOGGER, serviceConfigToken, type FlowForgeLogger } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import type { SchedulerConfig } from '../scheduler.config';
import { SCHEDULER_POOL } from '../scheduler.database';
import { AssetWriterStore } from './asset-writers.store';
import { FireStore } from './fire.store';
import { OrchestratorClient } from './orchestrator.client';
import { SchedulerClock } from './scheduler.clock';
import { FiringBatch, ScheduleFiring } from './schedule.firing';
import { countFires } from './scheduler.metrics';
import { ScheduleStore, type ScheduleRow } from './schedule.store';

const PRUNE_EVERY_MS = 10 * 60_000;
/** A finished run's workflow is kept this long (an asset commit of it may still be on its way): a day. */
const FINISHED_RUN_KEEP_MS = 86_400_000;

export interface TickReport {
  schedules: number;
  fired: number;
  skipped: number;
  buffered: number;
  delays: number[];
}

/**
 * The fire loop, on every replica. One transaction claims a batch of due schedules
 * (`FOR UPDATE SKIP LOCKED`: another replica takes the others), writes each fire time's row, publishes
 * the RunRequested events (`publishMany` with the transaction) and advances next_fire_at — all or
 * nothing. A replica that dies mid-fire leaves nothing behind: its transaction rolls back, the locks go
 * with its connection, and the next replica to look fires the same times with the same run ids.
 *
 * Ahead of a due time (FLOWFORGE_SCHEDULER_PREPARE_MS) the same work is done early: each worker's
 * transaction claims, decides and writes the schedules due at that time, then waits for it and only
 * publishes and commits at it (`fireAt`). Nothing is visible before the commit, so no run is requested
 * before its fire time; a replica that dies while waiting leaves nothing, as above.
 */
@Injectable()
export class FireLoop implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private prunedAt = 0;
  /** The whole pass (fire, prune, the wait's query): what a shutdown waits for before the pool closes. */
  private running: Promise<void> | null = null;
  private stopped = false;
  private started = false;
  /** Tests: runs in the transaction after the batch is decided, before it commits (to kill a replica mid-fire). */
  beforeCommit: ((tx: Queryable, claimed: string[]) => Promise<void>) | null = null;
  /** The bench: called after each loop transaction commits, with when (ms) and the fire times (ms) of the runs it requested. */
  onCommitted: ((committedAt: number, fireTimes: number[]) => void) | null = null;

  constructor(
    @Inject(SCHEDULER_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('scheduler')) private readonly config: SchedulerConfig,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly clock: SchedulerClock,
    private readonly schedules: ScheduleStore,
    private readonly fires: FireStore,
    private readonly firing: ScheduleFiring,
    private readonly orchestrator: OrchestratorClient,
    private readonly writers: AssetWriterStore,
  ) {}

  onApplicationBootstrap(): void {
    // Once: a hybrid app (HTTP + the bus transport) runs the bootstrap hooks for each of its two inits, and a
    // second timer chain would double the loop's transactions (the pool's four connections all held by it).
    if (this.started) return;
    this.started = true;
    if (this.config.FLOWFORGE_SCHEDULER_TICK_MS > 0) this.schedule(this.config.FLOWFORGE_SCHEDULER_TICK_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Fires everything due at `now` (default: the clock), batch after batch, on
   * FLOWFORGE_SCHEDULER_WORKERS transactions at once (SKIP LOCKED gives each its own schedules: while one
   * waits for the database, another decides in JavaScript); also called by tests.
   */
  async tickOnce(now: Date = this.clock.now()): Promise<TickReport> {
    const reports = await Promise.all(Array.from({ length: this.config.FLOWFORGE_SCHEDULER_WORKERS }, () => this.drain(now)));
    return {
      schedules: reports.reduce((n, r) => n + r.schedules, 0),
      fired: reports.reduce((n, r) => n + r.fired, 0),
      skipped: reports.reduce((n, r) => n + r.skipped, 0),
      buffered: reports.reduce((n, r) => n + r.buffered, 0),
      delays: reports.flatMap((r) => r.delays),
    };
  }

  /** Batches until a claim comes back short. */
  private async drain(now: Date): Promise<TickReport> {
    const total: TickReport = { schedules: 0, fired: 0, skipped: 0, buffered: 0, delays: [] };
    for (;;) {
      const batch = new FiringBatch();
      const claimed = await this.transaction(async (tx) => {
        const due = await this.claimAndDecide(tx, now, batch);
        await this.commitSide(tx, batch, due);
        return due.length;
      });
      await this.committed(now, batch, claimed, total);
      if (claimed < this.config.FLOWFORGE_SCHEDULER_BATCH || this.stopped) return total;
    }
  }

  /**
   * Fires what is due at `at` (a time to come) with its commit at `at`: each worker's transaction claims
   * and decides batch after batch for `at` now — while the next batch can still be done before `at` —
   * then waits for `at` and publishes and commits. The claimed schedules stay locked until then (at
   * most FLOWFORGE_SCHEDULER_PREPARE_MS): another replica skips them, an API change of one waits for the
   * commit. What is left when `at` comes (a claim was still full) the loop fires right after, as usual.
   */
  async fireAt(at: Date): Promise<TickReport> {
    // Settled, all of them: a failed worker does not leave another one waiting unawaited (a shutdown waits for every one).
    const settled = await Promise.allSettled(Array.from({ length: this.config.FLOWFORGE_SCHEDULER_WORKERS }, () => this.prepareAndCommit(at)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const reports = settled.map((r) => (r as PromiseFulfilledResult<TickReport>).value);
    // Nothing claimed (another replica holds them, its advance not committed yet): not before `at` again.
    if (!this.stopped) await this.clock.until(at);
    return {
      schedules: reports.reduce((n, r) => n + r.schedules, 0),
      fired: reports.reduce((n, r) => n + r.fired, 0),
      skipped: reports.reduce((n, r) => n + r.skipped, 0),
      buffered: reports.reduce((n, r) => n + r.buffered, 0),
      delays: reports.flatMap((r) => r.delays),
    };
  }

  private async prepareAndCommit(at: Date): Promise<TickReport> {
    const total: TickReport = { schedules: 0, fired: 0, skipped: 0, buffered: 0, delays: [] };
    const batch = new FiringBatch();
    const claimed = await this.transaction(async (tx) => {
      const all: ScheduleRow[] = [];
      let took = 0;
      // Another batch only if it would be decided before `at` (judged by the last one), so the commit is not held up.
      while (!this.stopped && this.clock.now().getTime() + took < at.getTime()) {
        const started = Date.now();
        const due = await this.claimAndDecide(tx, at, batch);
        took = Date.now() - started;
        all.push(...due);
        if (due.length < this.config.FLOWFORGE_SCHEDULER_BATCH) break;
      }
      if (!all.length) return 0;
      await this.clock.until(at);
      // Shutting down while waiting: nothing is kept (the transaction rolls back), the next replica or start fires these times.
      if (this.stopped) throw new Error('shutting down before the fire time; nothing committed');
      await this.commitSide(tx, batch, all);
      return all.length;
    });
    await this.committed(at, batch, claimed, total);
    return total;
  }

  /** Claims a batch due at `now` and decides and writes it (rows, advance) into `batch`; answers the schedules claimed. */
  private async claimAndDecide(tx: Queryable, now: Date, batch: FiringBatch): Promise<ScheduleRow[]> {
    const due = await this.schedules.claimDue(tx, now, this.config.FLOWFORGE_SCHEDULER_BATCH);
    // One schedule's failure (a bad row, a bug) must not hold the others back: it is left as it was, retried next tick.
    await this.firing.fireBatch(tx, due, now, batch, (s, err) =>
      this.logger.error({ schedule: s.name, err }, `FF_SCHEDULER_FIRE_FAILED: firing schedule "${s.name}" failed; the next tick retries`),
    );
    return due;
  }

  /** What is done right before the commit: the test hook, then the publish (last, so the bus's partition heads are held for the commit only). */
  private async commitSide(tx: Queryable, batch: FiringBatch, due: ScheduleRow[]): Promise<void> {
    if (this.beforeCommit)
      await this.beforeCommit(
        tx,
        due.map((s) => s.name),
      );
    await this.firing.flush(tx, batch);
  }

  /** After a commit: the delay of each run is from its fire time to now (its commit, which is when it is visible). */
  private async committed(now: Date, batch: FiringBatch, claimed: number, total: TickReport): Promise<void> {
    const committedAt = Math.max(now.getTime(), this.clock.now().getTime());
    const delays = batch.fireTimes.map((t) => committedAt - t);
    countFires({ ...batch, delays });
    this.onCommitted?.(committedAt, batch.fireTimes);
    total.schedules += claimed;
    total.fired += batch.fired;
    total.skipped += batch.skipped;
    total.buffered += batch.buffered;
    total.delays.push(...delays);
    await this.cancelSuperseded(batch);
  }

  /**
   * withTransaction (libs/db) on a client that tolerates losing its server while it is checked out between two
   * statements (a terminated backend, a failover): pg emits that as an 'error' event, which would take the
   * process down; the transaction's next statement fails instead, and the tick is retried.
   */
  private async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const onError = (): void => undefined;
    client.on('error', onError);
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Overlap "cancel_running": the older runs are cancelled once the new one is requested (committed). */
  private async cancelSuperseded(batch: FiringBatch): Promise<void> {
    for (const c of batch.cancel) {
      try {
        await this.orchestrator.cancel(c.runId, `superseded by a newer fire of schedule "${c.schedule}" (overlap cancel_running)`);
      } catch (err) {
        this.logger.warn(
          { runId: c.runId, schedule: c.schedule, err },
          `FF_SCHEDULER_CANCEL_FAILED: cancelling run ${c.runId} failed: ${(err as Error).message}`,
        );
      }
    }
  }

  /**
   * History retention: fire rows older than FLOWFORGE_SCHEDULER_HISTORY_DAYS; with them, finished runs older
   * than a day and asset writers silent for FLOWFORGE_SCHEDULER_ASSET_DAYS. In bounded rounds (every replica
   * may do it; deletes do not conflict). Answers the fire rows deleted.
   */
  async pruneHistory(now: Date = this.clock.now()): Promise<number> {
    const assetDays = this.config.FLOWFORGE_SCHEDULER_ASSET_DAYS;
    for (let round = 0; round < 10; round++) {
      const n = await this.writers.prune(
        this.pool,
        new Date(now.getTime() - FINISHED_RUN_KEEP_MS),
        assetDays === 0 ? null : new Date(now.getTime() - assetDays * 86_400_000),
        10_000,
      );
      if (n.runs < 10_000 && n.assets < 10_000) break;
    }
    const days = this.config.FLOWFORGE_SCHEDULER_HISTORY_DAYS;
    if (days === 0) return 0;
    let total = 0;
    for (let round = 0; round < 10; round++) {
      const n = await this.fires.prune(this.pool, new Date(now.getTime() - days * 86_400_000), 10_000);
      total += n;
      if (n < 10_000) break;
    }
    return total;
  }

  private schedule(inMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, inMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    await this.tickOnce().catch((err: unknown) => this.logger.error({ err }, `FF_SCHEDULER_TICK_FAILED: ${(err as Error).message}`));
    if (Date.now() - this.prunedAt >= PRUNE_EVERY_MS && !this.stopped) {
      this.prunedAt = Date.now();
      await this.pruneHistory().catch((err: unknown) => this.logger.warn({ err }, `FF_SCHEDULER_PRUNE_FAILED: ${(err as Error).message}`));
    }
    if (this.stopped) return;
    // Wake at the next due time when it comes before the next tick (a minute boundary is met on time, not up to
    // a tick late) — or, with FLOWFORGE_SCHEDULER_PREPARE_MS, that long before it, to prepare its fires and commit at it.
    const nextDue = await this.schedules.nextDue(this.pool).catch(() => null);
    const tick = this.config.FLOWFORGE_SCHEDULER_TICK_MS;
    const lead = this.config.FLOWFORGE_SCHEDULER_PREPARE_MS;
    const wait = nextDue ? nextDue.getTime() - Date.now() : Number.POSITIVE_INFINITY;
    if (lead > 0 && wait > 0 && wait <= lead) {
      await this.fireAt(nextDue!).catch((err: unknown) => this.logger.error({ err }, `FF_SCHEDULER_TICK_FAILED: ${(err as Error).message}`));
      this.schedule(0);
      return;
    }
    this.schedule(Math.max(0, Math.min(tick, wait > lead ? wait - lead : wait)));
  }
}
