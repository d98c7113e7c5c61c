import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';

/** One upstream run as chaining keeps it: enough to build the payload later (wait-for-all). */
export interface Arrival {
  runId: string;
  workflow: string;
  state: string;
  reason: string | null;
  /** Outputs by step id (`{}` for a step without outputs). */
  outputs: Record<string, Record<string, unknown>>;
  /** State by step id. */
  steps: Record<string, string>;
  /** Set when the outputs were left out (too large). */
  outputsOmitted?: string;
  /** When chaining saw it end (ISO). */
  at: string;
}

export type ArrivalOutcome =
  | 'pending'
  | 'fired'
  | 'not_matched'
  | 'condition_false'
  | 'chain_too_deep'
  | 'waiting'
  | 'superseded'
  | 'wait_fired'
  | 'wait_timed_out_fired'
  | 'wait_timed_out_skipped'
  | 'wait_chain_too_deep'
  | 'wait_abandoned';

export type WaitState = 'open' | 'fired' | 'timed_out_fired' | 'timed_out_skipped' | 'chain_too_deep' | 'abandoned';

export interface WaitRecord {
  id: string;
  triggerId: string;
  state: WaitState;
  upstream: string[];
  arrivals: Record<string, Arrival>;
  openedAt: Date;
  deadlineAt: Date;
  closedAt: Date | null;
  reason: string | null;
  dedupKey: string | null;
  firingId: string | null;
  firedRunId: string | null;
}

export interface ArrivalRecord {
  triggerId: string;
  upstreamRunId: string;
  upstreamWorkflow: string;
  runState: string;
  outcome: ArrivalOutcome;
  reason: string | null;
  waitId: string | null;
  firingId: string | null;
  firedRunId: string | null;
}

const T = '"ff_triggers"';

type WaitRow = {
  id: string;
  trigger_id: string;
  state: WaitState;
  upstream: string[];
  arrivals: Record<string, Arrival>;
  opened_at: Date;
  deadline_at: Date;
  closed_at: Date | null;
  reason: string | null;
  dedup_key: string | null;
  firing_id: string | null;
  fired_run_id: string | null;
};

const wait = (r: WaitRow): WaitRecord => ({
  id: r.id,
  triggerId: r.trigger_id,
  state: r.state,
  upstream: r.upstream,
  arrivals: r.arrivals,
  openedAt: r.opened_at,
  deadlineAt: r.deadline_at,
  closedAt: r.closed_at,
  reason: r.reason,
  dedupKey: r.dedup_key,
  firingId: r.firing_id,
  firedRunId: r.fired_run_id,
});

/**
 * ff_triggers' chaining tables. Every method runs on the caller's Queryable: the bus handler's ctx.tx
 * or a sweeper transaction. Waits are locked one trigger at a time in trigger id order (the handler walks
 * the triggers sorted), so two handlers never hold each other's waits.
 */
@Injectable()
export class ChainWaitStore {
  /** Records that `trigger` saw this upstream run; false when it already had (a redelivery or a re-publish). */
  async claimArrival(q: Queryable, triggerId: string, a: Arrival): Promise<boolean> {
    const { rowCount } = await q.query(
      `INSERT INTO ${T}.workflow_trigger_arrivals (trigger_id, upstream_run_id, upstream_workflow, run_state, outcome)
       VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT DO NOTHING`,
      [triggerId, a.runId, a.workflow, a.state],
    );
    return rowCount === 1;
  }

  async settleArrival(
    q: Queryable,
    triggerId: string,
    runId: string,
    outcome: ArrivalOutcome,
    reason: string | null,
    extra: { waitId?: string; firingId?: string | null; firedRunId?: string | null } = {},
  ): Promise<void> {
    await q.query(
      `UPDATE ${T}.workflow_trigger_arrivals SET outcome = $3, reason = $4, wait_id = COALESCE($5, wait_id), firing_id = $6, fired_run_id = $7
       WHERE trigger_id = $1 AND upstream_run_id = $2`,
      [triggerId, runId, outcome, reason, extra.waitId ?? null, extra.firingId ?? null, extra.firedRunId ?? null],
    );
  }

  /** Settles every arrival of a wait that is still `waiting` (the superseded ones keep their outcome). */
  async settleWaitArrivals(
    q: Queryable,
    waitId: string,
    outcome: ArrivalOutcome,
    reason: string,
    firingId: string | null,
    firedRunId: string | null,
  ): Promise<void> {
    await q.query(
      `UPDATE ${T}.workflow_trigger_arrivals SET outcome = $2, reason = $3, firing_id = $4, fired_run_id = $5 WHERE wait_id = $1 AND outcome = 'waiting'`,
      [waitId, outcome, reason, firingId, firedRunId],
    );
  }

  async arrivals(q: Queryable, triggerId: string): Promise<ArrivalRecord[]> {
    const { rows } = await q.query<Record<string, string | null>>(
      `SELECT * FROM ${T}.workflow_trigger_arrivals WHERE trigger_id = $1 ORDER BY created_at, upstream_run_id`,
      [triggerId],
    );
    return rows.map((r) => ({
      triggerId: r.trigger_id!,
      upstreamRunId: r.upstream_run_id!,
      upstreamWorkflow: r.upstream_workflow!,
      runState: r.run_state!,
      outcome: r.outcome as ArrivalOutcome,
      reason: r.reason,
      waitId: r.wait_id,
      firingId: r.firing_id,
      firedRunId: r.fired_run_id,
    }));
  }

  /** The trigger's open window, locked until the caller's transaction ends. */
  async lockOpenWait(q: Queryable, triggerId: string): Promise<WaitRecord | null> {
    const { rows } = await q.query<WaitRow>(`SELECT * FROM ${T}.workflow_trigger_waits WHERE trigger_id = $1 AND state = 'open' FOR UPDATE`, [triggerId]);
    return rows[0] ? wait(rows[0]) : null;
  }

  /**
   * Opens a window; null when another transaction opened one first (the unique index on open waits makes
   * this insert wait for that transaction, then yield): the caller locks that one instead.
   */
  async openWait(q: Queryable, w: { id: string; triggerId: string; upstream: string[]; openedAt: Date; deadlineAt: Date }): Promise<WaitRecord | null> {
    const { rows } = await q.query<WaitRow>(
      `INSERT INTO ${T}.workflow_trigger_waits (id, trigger_id, state, upstream, opened_at, deadline_at)
       VALUES ($1, $2, 'open', $3, $4, $5) ON CONFLICT (trigger_id) WHERE state = 'open' DO NOTHING RETURNING *`,
      [w.id, w.triggerId, w.upstream, w.openedAt, w.deadlineAt],
    );
    return rows[0] ? wait(rows[0]) : null;
  }

  async setArrivals(q: Queryable, waitId: string, arrivals: Record<string, Arrival>): Promise<void> {
    await q.query(`UPDATE ${T}.workflow_trigger_waits SET arrivals = $2 WHERE id = $1`, [waitId, JSON.stringify(arrivals)]);
  }

  async closeWait(
    q: Queryable,
    waitId: string,
    c: { state: Exclude<WaitState, 'open'>; closedAt: Date; reason: string; dedupKey?: string | null; firingId?: string | null; firedRunId?: string | null },
  ): Promise<void> {
    await q.query(
      `UPDATE ${T}.workflow_trigger_waits SET state = $2, closed_at = $3, reason = $4, dedup_key = $5, firing_id = $6, fired_run_id = $7 WHERE id = $1`,
      [waitId, c.state, c.closedAt, c.reason, c.dedupKey ?? null, c.firingId ?? null, c.firedRunId ?? null],
    );
  }

  /** Open windows whose deadline passed, oldest first (unlocked: the sweeper locks each in its own transaction). */
  async expiredWaits(q: Queryable, now: Date, limit: number): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `SELECT id FROM ${T}.workflow_trigger_waits WHERE state = 'open' AND deadline_at <= $1 ORDER BY deadline_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The window if it is still open and past its deadline, locked; null when another replica holds or settled it. */
  async lockExpiredWait(q: Queryable, id: string, now: Date): Promise<WaitRecord | null> {
    const { rows } = await q.query<WaitRow>(
      `SELECT * FROM ${T}.workflow_trigger_waits WHERE id = $1 AND state = 'open' AND deadline_at <= $2 FOR UPDATE SKIP LOCKED`,
      [id, now],
    );
    return rows[0] ? wait(rows[0]) : null;
  }

  async waits(q: Queryable, triggerId: string): Promise<WaitRecord[]> {
    const { rows } = await q.query<WaitRow>(`SELECT * FROM ${T}.workflow_trigger_waits WHERE trigger_id = $1 ORDER BY opened_at, id`, [triggerId]);
    return rows.map(wait);
  }

  /** The chain depth of the deepest of these runs: 0 for runs no workflow trigger started. */
  async depthOf(q: Queryable, runIds: string[]): Promise<number> {
    const { rows } = await q.query<{ depth: number | null }>(`SELECT max(depth)::int AS depth FROM ${T}.workflow_chain_runs WHERE run_id = ANY($1)`, [runIds]);
    return rows[0]?.depth ?? 0;
  }

  async recordChainRun(q: Queryable, runId: string, depth: number, triggerId: string): Promise<void> {
    await q.query(`INSERT INTO ${T}.workflow_chain_runs (run_id, depth, trigger_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [runId, depth, triggerId]);
  }

  /** Deletes the record older than `before` (settled waits, arrivals, chain depths), bounded per call. */
  async prune(q: Queryable, before: Date, limit: number): Promise<number> {
    const a = await q.query(
      `DELETE FROM ${T}.workflow_trigger_arrivals WHERE ctid IN (SELECT ctid FROM ${T}.workflow_trigger_arrivals WHERE created_at < $1 AND outcome <> 'waiting' LIMIT $2)`,
      [before, limit],
    );
    const w = await q.query(
      `DELETE FROM ${T}.workflow_trigger_waits WHERE id IN (SELECT id FROM ${T}.workflow_trigger_waits WHERE state <> 'open' AND closed_at < $1 LIMIT $2)`,
      [before, limit],
    );
    const c = await q.query(
      `DELETE FROM ${T}.workflow_chain_runs WHERE run_id IN (SELECT run_id FROM ${T}.workflow_chain_runs WHERE created_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return (a.rowCount ?? 0) + (w.rowCount ?? 0) + (c.rowCount ?? 0);
  }
}
