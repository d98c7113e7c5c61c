import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { RunLogStore } from '../runs/run-log.store';

/** One entry of a run's feed, as the SSE stream sends it. */
export type FeedEntry =
  | { kind: 'run'; id: string; at: Date; data: { runId: string; from: string | null; to: string; reason: string | null; at: string } }
  | {
      kind: 'step';
      id: string;
      at: Date;
      data: { runId: string; stepId: string; attempt: number | null; from: string | null; to: string; reason: string | null; at: string };
    }
  | {
      kind: 'log';
      id: string;
      at: Date;
      data: { stepId: string; attempt: number; at: string; level: string; message: string; fields: Record<string, unknown> | null };
    };

/** Where a stream is: the last transition id and the last log line id it sent. */
export interface FeedCursor {
  transitions: string;
  logs: string;
}

export const FEED_START: FeedCursor = { transitions: '0', logs: '0' };

/** `12.40` (the SSE event id) -> cursor; anything else starts from the beginning. */
export function parseCursor(text: string | undefined): FeedCursor {
  const m = /^(\d{1,19})\.(\d{1,19})$/.exec(text ?? '');
  return m ? { transitions: m[1]!, logs: m[2]! } : FEED_START;
}

export const formatCursor = (c: FeedCursor): string => `${c.transitions}.${c.logs}`;

interface TransitionRow extends Record<string, unknown> {
  id: string;
  step_id: string | null;
  attempt: number | null;
  from_state: string | null;
  to_state: string;
  reason: string | null;
  at: Date;
}

/**
 * Reads a run's feed after a cursor: state transitions (run and steps) and log lines, merged in time
 * order. Both tables are written with the run row locked, so per run their ids grow in commit order
 * and reading `id > cursor` never skips an entry that commits later.
 */
@Injectable()
export class RunFeedReader {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly logs: RunLogStore,
  ) {}

  async after(runId: string, cursor: FeedCursor, limit: number): Promise<{ entries: FeedEntry[]; full: boolean }> {
    const [{ rows }, lines] = await Promise.all([
      this.pool.query<TransitionRow>(
        // ORDER BY the table's column: a bare `id` would sort the text output column (10 before 9).
        `SELECT id::text AS id, step_id, attempt, from_state, to_state, reason, at FROM ff_orchestrator.run_transitions
         WHERE run_id = $1 AND id > $2 ORDER BY run_transitions.id LIMIT $3`,
        [runId, cursor.transitions, limit],
      ),
      this.logs.afterId(this.pool, runId, cursor.logs, limit),
    ]);
    const entries: FeedEntry[] = [
      ...rows.map((r): FeedEntry =>
        r.step_id === null
          ? { kind: 'run', id: r.id, at: r.at, data: { runId, from: r.from_state, to: r.to_state, reason: r.reason, at: r.at.toISOString() } }
          : {
              kind: 'step',
              id: r.id,
              at: r.at,
              data: { runId, stepId: r.step_id, attempt: r.attempt, from: r.from_state, to: r.to_state, reason: r.reason, at: r.at.toISOString() },
            },
      ),
      ...lines.map((l): FeedEntry => ({
        kind: 'log',
        id: l.id,
        at: l.at,
        data: { stepId: l.stepId, attempt: l.attempt, at: l.at.toISOString(), level: l.level, message: l.message, fields: l.fields },
      })),
    ];
    // Stable: entries of one table keep their id order when timestamps tie.
    entries.sort((a, b) => a.at.getTime() - b.at.getTime());
    return { entries, full: rows.length === limit || lines.length === limit };
  }
}
