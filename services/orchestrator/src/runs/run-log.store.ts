import { Injectable } from '@nestjs/common';
import type { StepLogLine } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { LOG_CURSOR_PATTERN } from '@flowforge/http';
import { RUN_FEED_CHANNEL } from './run-feed.channel';

export interface RunLogLine {
  id: string;
  stepId: string;
  attempt: number;
  at: Date;
  level: StepLogLine['level'];
  message: string;
  fields: Record<string, unknown> | null;
}

interface LogRow extends Record<string, unknown> {
  id: string;
  step_id: string;
  attempt: number;
  at: Date;
  level: StepLogLine['level'];
  message: string;
  fields: Record<string, unknown> | null;
}

const toLine = (r: LogRow): RunLogLine => ({
  id: String(r.id),
  stepId: r.step_id,
  attempt: r.attempt,
  at: r.at,
  level: r.level,
  message: r.message,
  fields: r.fields,
});

/** `fields` arrives as JSON text; anything that is not a JSON object is kept under `raw`. */
function fieldsOf(text: string | null): string | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return JSON.stringify(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { value: parsed });
  } catch {
    return JSON.stringify({ raw: text });
  }
}

export interface LogQuery {
  stepId?: string;
  attempt?: number;
  /** Lines after this one in time order (the previous page's cursor, parseLogCursor). */
  after?: LogCursor;
  limit: number;
}

/**
 * A place in a run's lines in time order: the line's timestamp in microseconds since the epoch (the
 * column's precision, exact where a JS Date would round it) and its id, which orders equal timestamps.
 * As text `<µs>_<id>`, the `after` of the next page.
 */
export interface LogCursor {
  atMicros: string;
  id: string;
}

export function parseLogCursor(text: string): LogCursor | null {
  const m = LOG_CURSOR_PATTERN.exec(text);
  return m ? { atMicros: m[1]!, id: m[2]! } : null;
}

export const formatLogCursor = (c: LogCursor): string => `${c.atMicros}_${c.id}`;

/** A page of lines in time order, and the newest line id stored when it was read (see pageByTime). */
export interface TimeOrderedPage {
  lines: (RunLogLine & { cursor: LogCursor })[];
  latestId: string | null;
}

/**
 * ff_orchestrator.run_logs: StepLog lines per run, step and attempt. Lines are inserted with the run
 * row locked, so ids of one run grow in commit order and `id > cursor` never skips a line. Commit order
 * is not time order: the lines of parallel steps and attempts arrive in batches (flowforge.step.log),
 * so readers that promise "oldest first" page by (at, id) instead (pageByTime).
 */
@Injectable()
export class RunLogStore {
  /** Ids follow the batch's order (ORDER BY the ordinality: a join's output order is not promised), so lines with one timestamp keep it. */
  async append(tx: Queryable, runId: string, stepId: string, attempt: number, lines: StepLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await tx.query(
      `INSERT INTO ff_orchestrator.run_logs (run_id, step_id, attempt, at, level, message, fields)
       SELECT $1::uuid, $2::text, $3::int, to_timestamp(l.at / 1000.0), l.level, l.message, l.fields::jsonb
       FROM unnest($4::double precision[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS l(at, level, message, fields, ord)
       CROSS JOIN (SELECT pg_notify('${RUN_FEED_CHANNEL}', $8::text)) n
       ORDER BY l.ord`,
      [runId, stepId, attempt, lines.map((l) => l.at), lines.map((l) => l.level), lines.map((l) => l.message), lines.map((l) => fieldsOf(l.fields)), runId],
    );
  }

  /** Lines after a line id, in commit order: the live feed, whose cursor must never skip a line. */
  async afterId(db: Queryable, runId: string, afterId: string, limit: number): Promise<RunLogLine[]> {
    const { rows } = await db.query<LogRow>(
      `SELECT id::text AS id, step_id, attempt, at, level, message, fields FROM ff_orchestrator.run_logs
       WHERE run_id = $1 AND id > $2 ORDER BY run_logs.id LIMIT $3`,
      [runId, afterId, limit],
    );
    return rows.map(toLine);
  }

  /**
   * Lines in time order (ties by id), after `q.after`. `latestId` is the run's newest line id when the
   * page was read: a line stored later may have an older timestamp than a page already read, so a
   * follower resumes the commit-ordered feed after the first page's latestId (and drops the lines it
   * printed already) rather than after the last line it printed.
   */
  async pageByTime(db: Queryable, runId: string, q: LogQuery): Promise<TimeOrderedPage> {
    const where = ['run_id = $1'];
    const params: unknown[] = [runId];
    if (q.stepId !== undefined) where.push(`step_id = $${params.push(q.stepId)}`);
    if (q.attempt !== undefined) where.push(`attempt = $${params.push(q.attempt)}`);
    if (q.after !== undefined) {
      // Exact microseconds (bigint × 1 µs interval), so the boundary line is neither repeated nor skipped.
      where.push(`(at, id) > (to_timestamp(0) + $${params.push(q.after.atMicros)}::bigint * interval '1 microsecond', $${params.push(q.after.id)}::bigint)`);
    }
    // ORDER BY names the table's columns: a bare `id` is the text output column (line 10 before line 9).
    const { rows } = await db.query<LogRow & { at_us: string; latest: string | null }>(
      `SELECT id::text AS id, step_id, attempt, at, level, message, fields,
              ((extract(epoch FROM at) * 1000000)::numeric(20, 0))::text AS at_us,
              (SELECT max(id)::text FROM ff_orchestrator.run_logs WHERE run_id = $1) AS latest
       FROM ff_orchestrator.run_logs
       WHERE ${where.join(' AND ')} ORDER BY run_logs.at, run_logs.id LIMIT $${params.push(q.limit)}`,
      params,
    );
    const lines = rows.map((r) => ({ ...toLine(r), cursor: { atMicros: r.at_us, id: String(r.id) } }));
    if (rows.length > 0) return { lines, latestId: rows[0]!.latest };
    const { rows: latest } = await db.query<{ latest: string | null }>(`SELECT max(id)::text AS latest FROM ff_orchestrator.run_logs WHERE run_id = $1`, [
      runId,
    ]);
    return { lines, latestId: latest[0]!.latest };
  }
}
