import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { RunState } from '@flowforge/workflow';
import { RunRefused } from './run.errors';
import { toRunRecord, type RunRecord, type RunRow } from './run.records';

/**
 * The refusal of the runs trigger (migration 1766102400000): the run's workflow or a pinned job version
 * was deleted — a rerun of an older run, or a creation racing the delete.
 */
function deletedDefinition(err: unknown): RunRefused | null {
  const e = err as { code?: string; message?: string };
  const m = e.code === '23503' ? /^(FF_WORKFLOW_NOT_FOUND|FF_JOB_NOT_FOUND): (.*)$/.exec(e.message ?? '') : null;
  if (!m) return null;
  return new RunRefused(
    m[1]!,
    409,
    `${m[2]!}; a run can only use definitions that exist (create the workflow or job again, then run it)`,
    m[1] === 'FF_JOB_NOT_FOUND' ? 'steps' : 'workflow',
  );
}

export interface NewRun {
  id: string;
  workflowName: string;
  workflowVersion: number;
  spec: RunRecord['spec'];
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  requestedBy: string;
  parentRunId: string | null;
  rerunFrom: string | null;
}

export interface RunFilter {
  workflow?: string;
  state?: RunState;
  /** Runs created before this seq (the previous page's cursor). */
  before?: string;
  limit: number;
}

/** A locked run and the database clock when the lock was taken (every deadline is on that clock). */
export interface LockedRun {
  run: RunRecord;
  now: Date;
}

/** ff_orchestrator.runs. Every engine change of a run happens with its row locked (lock/tryLock). */
@Injectable()
export class RunStore {
  /**
   * Inserts a queued run, or nothing when its id or idempotency key exists (the unique index settles
   * racing requests: the loser waits for the winner's commit, then finds its row).
   */
  async insert(tx: Queryable, run: NewRun): Promise<LockedRun | null> {
    const { rows } = await tx
      .query<RunRow & { db_now: Date }>(
        `INSERT INTO ff_orchestrator.runs
         (id, workflow_name, workflow_version, spec, params, state, idempotency_key, requested_by, parent_run_id, rerun_from)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, 'queued', $6, $7, $8, $9)
       ON CONFLICT DO NOTHING
       RETURNING *, clock_timestamp() AS db_now`,
        [
          run.id,
          run.workflowName,
          run.workflowVersion,
          JSON.stringify(run.spec),
          JSON.stringify(run.params),
          run.idempotencyKey,
          run.requestedBy,
          run.parentRunId,
          run.rerunFrom,
        ],
      )
      .catch((err: unknown) => {
        throw deletedDefinition(err) ?? err;
      });
    return rows[0] ? { run: toRunRecord(rows[0]), now: rows[0].db_now } : null;
  }

  async find(db: Queryable, id: string): Promise<RunRecord | null> {
    const { rows } = await db.query<RunRow>(`SELECT * FROM ff_orchestrator.runs WHERE id = $1`, [id]);
    return rows[0] ? toRunRecord(rows[0]) : null;
  }

  async findByKey(db: Queryable, key: string): Promise<RunRecord | null> {
    const { rows } = await db.query<RunRow>(`SELECT * FROM ff_orchestrator.runs WHERE idempotency_key = $1`, [key]);
    return rows[0] ? toRunRecord(rows[0]) : null;
  }

  /** Waits for the row lock. */
  lock(tx: Queryable, id: string): Promise<LockedRun | null> {
    return this.locked(tx, id, '');
  }

  /**
   * Locks every run of `ids` in id order, in one statement (ORDER BY is applied before the row locks,
   * so the rows are locked in that order). A transaction that is to hold several runs takes them this
   * way first: two such transactions then always lock in the same order and cannot deadlock.
   */
  async lockInOrder(tx: Queryable, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`SELECT id FROM ff_orchestrator.runs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /** null when another transaction holds the run (the sweeper moves on; a replica is on it). */
  tryLock(tx: Queryable, id: string): Promise<LockedRun | null> {
    return this.locked(tx, id, 'SKIP LOCKED');
  }

  private async locked(tx: Queryable, id: string, mode: '' | 'SKIP LOCKED'): Promise<LockedRun | null> {
    // The clock when the lock was granted: not now() (the transaction's start), and not in the locking
    // SELECT's own list, which PostgreSQL computes before waiting for the row (a handler that waited
    // 1 s would date its changes 1 s early: an attempt finishing before it started, a lease cut short).
    // The outer SELECT of the CTE reads the clock only once the locked row comes out.
    const { rows } = await tx.query<RunRow & { db_now: Date }>(
      `WITH locked AS (SELECT * FROM ff_orchestrator.runs WHERE id = $1 FOR UPDATE ${mode})
       SELECT *, clock_timestamp() AS db_now FROM locked`,
      [id],
    );
    return rows[0] ? { run: toRunRecord(rows[0]), now: rows[0].db_now } : null;
  }

  async save(tx: Queryable, run: RunRecord): Promise<void> {
    const { text, values } = this.saveStatement(run);
    await tx.query(text, values);
  }

  /** The UPDATE of save(), for a caller that sends it together with other work in one statement. */
  saveStatement(run: RunRecord): { text: string; values: unknown[] } {
    return {
      text: `UPDATE ff_orchestrator.runs SET state = $2, reason = $3, deadline_at = $4, started_at = $5, finished_at = $6, cancelled_by = $7,
       updated_at = now() WHERE id = $1`,
      values: [run.id, run.state, run.reason, run.deadlineAt, run.startedAt, run.finishedAt, run.cancelledBy],
    };
  }

  async list(db: Queryable, f: RunFilter): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.workflow !== undefined) where.push(`workflow_name = $${params.push(f.workflow)}`);
    if (f.state !== undefined) where.push(`state = $${params.push(f.state)}`);
    if (f.before !== undefined) where.push(`seq < $${params.push(f.before)}`);
    const { rows } = await db.query<RunRow>(
      `SELECT * FROM ff_orchestrator.runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.push(f.limit)}`,
      params,
    );
    return rows.map(toRunRecord);
  }

  /** Other queued or running runs of a workflow, oldest first. */
  async activeOf(tx: Queryable, workflowName: string, exceptId: string): Promise<{ id: string; state: RunState; seq: string }[]> {
    const { rows } = await tx.query<{ id: string; state: RunState; seq: string }>(
      `SELECT id, state, seq::text AS seq FROM ff_orchestrator.runs
       WHERE workflow_name = $1 AND state IN ('queued', 'running') AND id <> $2 ORDER BY seq`,
      [workflowName, exceptId],
    );
    return rows;
  }

  /** Whether a run of the workflow (other than `exceptId`) waits in queued. */
  async hasQueued(tx: Queryable, workflowName: string, exceptId?: string): Promise<boolean> {
    const { rows } = await tx.query<{ queued: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ff_orchestrator.runs WHERE workflow_name = $1 AND state = 'queued' AND id IS DISTINCT FROM $2::uuid) AS queued`,
      [workflowName, exceptId ?? null],
    );
    return rows[0]!.queued;
  }

  async countRunning(tx: Queryable, workflowName?: string): Promise<number> {
    const { rows } =
      workflowName === undefined
        ? await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_orchestrator.runs WHERE state = 'running'`)
        : await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ff_orchestrator.runs WHERE state = 'running' AND workflow_name = $1`, [workflowName]);
    return rows[0]!.n;
  }

  /** The oldest queued run of a workflow nobody else holds, locked. */
  async nextQueued(tx: Queryable, workflowName: string): Promise<LockedRun | null> {
    const { rows } = await tx.query<RunRow & { db_now: Date }>(
      `SELECT *, clock_timestamp() AS db_now FROM ff_orchestrator.runs
       WHERE workflow_name = $1 AND state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [workflowName],
    );
    return rows[0] ? { run: toRunRecord(rows[0]), now: rows[0].db_now } : null;
  }

  async workflowsWithQueuedRuns(db: Queryable, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ workflow_name: string }>(
      `SELECT workflow_name FROM ff_orchestrator.runs WHERE state = 'queued' GROUP BY workflow_name ORDER BY min(seq) LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.workflow_name);
  }

  /** Running runs whose run timeout passed. */
  async pastDeadline(db: Queryable, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM ff_orchestrator.runs WHERE state = 'running' AND deadline_at <= clock_timestamp() ORDER BY deadline_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
