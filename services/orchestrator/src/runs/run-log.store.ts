import { Injectable } from '@nestjs/common';
import type { StepLogLine } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
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
  /** Lines with a larger id (the previous page's cursor). */
  after?: string;
  limit: number;
}

/**
 * ff_orchestrator.run_logs: StepLog lines per run, step and attempt. Lines are inserted with the run
 * row locked, so ids of one run grow in commit order and `id > cursor` never skips a line.
 */
@Injectable()
export class RunLogStore {
  async append(tx: Queryable, runId: string, stepId: string, attempt: number, lines: StepLogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await tx.query(
      `INSERT INTO ff_orchestrator.run_logs (run_id, step_id, attempt, at, level, message, fields)
       SELECT $1::uuid, $2::text, $3::int, to_timestamp(l.at / 1000.0), l.level, l.message, l.fields::jsonb
       FROM unnest($4::double precision[], $5::text[], $6::text[], $7::text[]) AS l(at, level, message, fields)
       CROSS JOIN (SELECT pg_notify('${RUN_FEED_CHANNEL}', $8::text)) n`,
      [runId, stepId, attempt, lines.map((l) => l.at), lines.map((l) => l.level), lines.map((l) => l.message), lines.map((l) => fieldsOf(l.fields)), runId],
    );
  }

  async page(db: Queryable, runId: string, q: LogQuery): Promise<RunLogLine[]> {
    const where = ['run_id = $1'];
    const params: unknown[] = [runId];
    if (q.stepId !== undefined) where.push(`step_id = $${params.push(q.stepId)}`);
    if (q.attempt !== undefined) where.push(`attempt = $${params.push(q.attempt)}`);
    if (q.after !== undefined) where.push(`id > $${params.push(q.after)}`);
    const { rows } = await db.query<LogRow>(
      `SELECT id::text AS id, step_id, attempt, at, level, message, fields FROM ff_orchestrator.run_logs
       WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.push(q.limit)}`,
      params,
    );
    return rows.map(toLine);
  }
}
