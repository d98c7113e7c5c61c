import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { RunMetrics } from './run.metrics';
import { RUN_FEED_CHANNEL } from './run-feed.channel';
import {
  toAttemptRecord,
  toStepRecord,
  type AttemptRecord,
  type AttemptRow,
  type AttemptState,
  type StepProgressRecord,
  type StepRecord,
  type StepRow,
} from './run.records';

/**
 * When the sweeper must look at a step: the earliest of lease expiry and step deadline while an
 * attempt is out, the retry time while it waits to retry, never otherwise. A retry fair share holds
 * back is due already: it is woken when its share frees (heldRunsWithRoom), not polled.
 */
export function wakeAt(s: StepRecord): Date | null {
  if (s.state === 'queued' || s.state === 'running') {
    const times = [s.leaseExpiresAt, s.deadlineAt].filter((d): d is Date => d !== null);
    return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
  }
  if (s.state === 'retrying' && s.heldAt === null) return s.nextAttemptAt;
  return null;
}

/** Whose share of a pool a step counts against (FLOWFORGE_ORCHESTRATOR_FAIR_SHARE_BY). */
export type ShareKey = 'requester' | 'workflow';
const keyColumn = (by: ShareKey): string => (by === 'workflow' ? 'r.workflow_name' : 'r.requested_by');

/** ff_orchestrator.run_steps and step_attempts; rows are read and written with their run locked. */
@Injectable()
export class RunStepStore {
  constructor(private readonly metrics: RunMetrics) {}

  async insertMany(tx: Queryable, steps: StepRecord[]): Promise<void> {
    if (steps.length === 0) return;
    await tx.query(
      `INSERT INTO ff_orchestrator.run_steps
         (run_id, step_id, position, job_name, job_version, job_type, executor, state, outputs, reason, finished_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::timestamptz[])`,
      [
        steps.map((s) => s.runId),
        steps.map((s) => s.stepId),
        steps.map((s) => s.position),
        steps.map((s) => s.jobName),
        steps.map((s) => s.jobVersion),
        steps.map((s) => s.jobType),
        steps.map((s) => s.executor),
        steps.map((s) => s.state),
        steps.map((s) => (s.outputs === null ? null : JSON.stringify(s.outputs))),
        steps.map((s) => s.reason),
        steps.map((s) => s.finishedAt),
      ],
    );
  }

  /**
   * Keeps the latest progress of the step's current attempt and wakes the run's live streams (the
   * NOTIFY is delivered at commit). Its own statement: the engine's save() never writes progress.
   */
  async recordProgress(tx: Queryable, step: StepRecord, progress: StepProgressRecord): Promise<void> {
    step.progress = progress;
    await tx.query(
      `UPDATE ff_orchestrator.run_steps SET progress = $3::jsonb, updated_at = now() FROM (SELECT pg_notify('${RUN_FEED_CHANNEL}', $4::text)) n
       WHERE run_id = $1 AND step_id = $2`,
      [step.runId, step.stepId, JSON.stringify(progress), step.runId],
    );
  }

  async ofRun(db: Queryable, runId: string): Promise<StepRecord[]> {
    const { rows } = await db.query<StepRow>(`SELECT * FROM ff_orchestrator.run_steps WHERE run_id = $1 ORDER BY position`, [runId]);
    return rows.map(toStepRecord);
  }

  async save(tx: Queryable, s: StepRecord): Promise<void> {
    const { text, values } = this.saveStatement(s);
    await tx.query(text, values);
  }

  /** The UPDATE of save(), for a caller that sends it together with other work in one statement. */
  saveStatement(s: StepRecord): { text: string; values: unknown[] } {
    return {
      text: `UPDATE ff_orchestrator.run_steps SET state = $3, attempt = $4, failures = $5, lost_attempts = $6, next_attempt_at = $7,
         lease_expires_at = $8, deadline_at = $9, wake_at = $10, outputs = $11::jsonb, error_code = $12, error_message = $13,
         reason = $14, started_at = $15, finished_at = $16, held_at = $17, updated_at = now()
       WHERE run_id = $1 AND step_id = $2`,
      values: [
        s.runId,
        s.stepId,
        s.state,
        s.attempt,
        s.failures,
        s.lostAttempts,
        s.nextAttemptAt,
        s.leaseExpiresAt,
        s.deadlineAt,
        wakeAt(s),
        s.outputs === null ? null : JSON.stringify(s.outputs),
        s.errorCode,
        s.errorMessage,
        s.reason,
        s.startedAt,
        s.finishedAt,
        s.heldAt,
      ],
    };
  }

  /** Attempts out (queued or running) on `executor` of runs whose requester/workflow is `key`. */
  async outCount(tx: Queryable, executor: string, by: ShareKey, key: string): Promise<number> {
    const { rows } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ff_orchestrator.run_steps s JOIN ff_orchestrator.runs r ON r.id = s.run_id
       WHERE s.executor = $1 AND s.state IN ('queued','running') AND ${keyColumn(by)} = $2`,
      [executor, key],
    );
    return rows[0]?.n ?? 0;
  }

  /** Whether fair share holds any step back right now (cheap: a partial index). */
  async anyHeld(db: Queryable): Promise<boolean> {
    const { rows } = await db.query(`SELECT 1 FROM ff_orchestrator.run_steps WHERE held_at IS NOT NULL LIMIT 1`);
    return rows.length > 0;
  }

  /**
   * Runs with a held step whose requester/workflow has room on its executor again, oldest held first —
   * per (executor, key) only as many as there is room for, so a key with one free slot and a hundred
   * held steps costs one run's transaction, not a hundred.
   */
  async heldRunsWithRoom(db: Queryable, by: ShareKey, caps: { executors: string[]; caps: number[]; other: number }, limit: number): Promise<string[]> {
    const key = keyColumn(by);
    const { rows } = await db.query<{ run_id: string }>(
      `WITH held AS (
         SELECT s.run_id, s.executor, s.held_at, ${key} AS k
         FROM ff_orchestrator.run_steps s JOIN ff_orchestrator.runs r ON r.id = s.run_id
         WHERE s.held_at IS NOT NULL AND r.state = 'running'
       ), used AS (
         SELECT s.executor, ${key} AS k, count(*)::int AS n
         FROM ff_orchestrator.run_steps s JOIN ff_orchestrator.runs r ON r.id = s.run_id
         WHERE s.state IN ('queued','running') GROUP BY 1, 2
       ), ranked AS (
         SELECT h.run_id, h.held_at,
                row_number() OVER (PARTITION BY h.executor, h.k ORDER BY h.held_at, h.run_id) AS nth,
                COALESCE((SELECT c.cap FROM unnest($1::text[], $2::int[]) AS c(executor, cap) WHERE c.executor = h.executor), $3) - COALESCE(u.n, 0) AS room
         FROM held h LEFT JOIN used u ON u.executor = h.executor AND u.k = h.k
       )
       SELECT run_id FROM ranked WHERE nth <= room GROUP BY run_id ORDER BY min(held_at) LIMIT $4`,
      [caps.executors, caps.caps, caps.other, limit],
    );
    return rows.map((r) => r.run_id);
  }

  /** Runs with a step due now (lease expired, deadline passed, retry due). */
  async dueRuns(db: Queryable, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ run_id: string }>(
      `SELECT run_id FROM ff_orchestrator.run_steps WHERE wake_at <= clock_timestamp() GROUP BY run_id ORDER BY min(wake_at) LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.run_id);
  }

  async insertAttempt(
    tx: Queryable,
    a: {
      runId: string;
      stepId: string;
      attempt: number;
      state: AttemptState;
      executor: string;
      config: Record<string, unknown>;
      at: Date;
      errorCode?: string;
      errorMessage?: string;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ff_orchestrator.step_attempts (run_id, step_id, attempt, state, executor, config, dispatched_at, finished_at, error_code, error_message)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, CASE WHEN $4 = 'dispatched' THEN NULL ELSE $7::timestamptz END, $8, $9)`,
      [a.runId, a.stepId, a.attempt, a.state, a.executor, JSON.stringify(a.config), a.at, a.errorCode ?? null, a.errorMessage ?? null],
    );
  }

  async startAttempt(tx: Queryable, s: StepRecord, instanceId: string, leaseMs: number, at: Date): Promise<void> {
    // `first`: this start set started_at (a repeated StepStarted keeps the first), so the lag is counted once.
    const { rows } = await tx.query<{ dispatched_at: Date; first: boolean }>(
      `UPDATE ff_orchestrator.step_attempts a SET state = 'running', instance_id = $4, lease_ms = $5, started_at = COALESCE(a.started_at, $6)
       FROM (SELECT started_at AS was FROM ff_orchestrator.step_attempts WHERE run_id = $1 AND step_id = $2 AND attempt = $3) old
       WHERE a.run_id = $1 AND a.step_id = $2 AND a.attempt = $3 AND a.state IN ('dispatched', 'running')
       RETURNING a.dispatched_at, old.was IS NULL AS first`,
      [s.runId, s.stepId, s.attempt, instanceId, leaseMs, at],
    );
    const row = rows[0];
    if (row?.first) this.metrics.attemptStarted(tx, s.executor, (at.getTime() - row.dispatched_at.getTime()) / 1000);
  }

  /**
   * A StepStarted that arrived after its attempt was settled (its own outcome overtook it on another
   * topic, or the attempt was written off): the attempt keeps its state (and no started_at), but records
   * who ran it — and its dispatch lag is counted then, once (the first time it learns who ran it), as for a
   * start that came in time: a fast job's outcome often overtakes its start, and the lag metric missed
   * exactly those.
   * Answers the attempt's state (null: no such attempt).
   */
  async recordLateStart(tx: Queryable, a: { runId: string; stepId: string; attempt: number }, instanceId: string, at: Date): Promise<AttemptState | null> {
    const { rows } = await tx.query<{ state: AttemptState; executor: string; dispatched_at: Date; first: boolean }>(
      `UPDATE ff_orchestrator.step_attempts a SET instance_id = COALESCE(a.instance_id, $4)
       FROM (SELECT instance_id AS was FROM ff_orchestrator.step_attempts WHERE run_id = $1 AND step_id = $2 AND attempt = $3) old
       WHERE a.run_id = $1 AND a.step_id = $2 AND a.attempt = $3
       RETURNING a.state, a.executor, a.dispatched_at, old.was IS NULL AS first`,
      [a.runId, a.stepId, a.attempt, instanceId],
    );
    const row = rows[0];
    if (row?.first) this.metrics.attemptStarted(tx, row.executor, (at.getTime() - row.dispatched_at.getTime()) / 1000);
    return row?.state ?? null;
  }

  async leaseMsOf(tx: Queryable, s: StepRecord): Promise<number | null> {
    const { rows } = await tx.query<{ lease_ms: number | null }>(
      `SELECT lease_ms FROM ff_orchestrator.step_attempts WHERE run_id = $1 AND step_id = $2 AND attempt = $3`,
      [s.runId, s.stepId, s.attempt],
    );
    return rows[0]?.lease_ms ?? null;
  }

  async finishAttempt(
    tx: Queryable,
    s: StepRecord,
    state: Exclude<AttemptState, 'dispatched' | 'running'>,
    at: Date,
    detail: { outputs?: Record<string, unknown> | null; metrics?: Record<string, number> | null; errorCode?: string | null; errorMessage?: string | null } = {},
  ): Promise<void> {
    const { rows } = await tx.query<{ since: Date }>(
      `UPDATE ff_orchestrator.step_attempts SET state = $4, finished_at = $5, outputs = $6::jsonb, metrics = $7::jsonb, error_code = $8, error_message = $9
       WHERE run_id = $1 AND step_id = $2 AND attempt = $3 AND state IN ('dispatched', 'running')
       RETURNING COALESCE(started_at, dispatched_at) AS since`,
      [
        s.runId,
        s.stepId,
        s.attempt,
        state,
        at,
        detail.outputs == null ? null : JSON.stringify(detail.outputs),
        detail.metrics == null ? null : JSON.stringify(detail.metrics),
        detail.errorCode ?? null,
        detail.errorMessage ?? null,
      ],
    );
    if (rows[0]) this.metrics.attemptFinished(tx, s.jobType, state, (at.getTime() - rows[0].since.getTime()) / 1000);
  }

  async attemptsOf(db: Queryable, runId: string): Promise<AttemptRecord[]> {
    const { rows } = await db.query<AttemptRow>(`SELECT * FROM ff_orchestrator.step_attempts WHERE run_id = $1 ORDER BY step_id, attempt`, [runId]);
    return rows.map(toAttemptRecord);
  }
}
