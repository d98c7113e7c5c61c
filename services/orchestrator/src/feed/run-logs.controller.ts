import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { runLogsQuery, uuidParam, type RunLogsQuery } from '@flowforge/http';
import { ZodPipe } from '@flowforge/service-kit';
import type { Pool } from 'pg';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import { runNotFound } from '../runs/run.errors';
import { formatLogCursor, parseLogCursor, RunLogStore } from '../runs/run-log.store';
import { RunStore } from '../runs/run.store';

export interface RunLogLineView {
  id: string;
  stepId: string;
  attempt: number;
  at: string;
  level: string;
  message: string;
  fields: Record<string, unknown> | null;
}

/**
 * Pages of a run's log lines, oldest first by their timestamp (not by arrival: see RunLogStore);
 * `nextCursor` is the `after` of the next page, `latestId` where a follower resumes the event stream.
 */
@Controller('internal/orchestrator/runs')
export class RunLogsController {
  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    private readonly runs: RunStore,
    private readonly logs: RunLogStore,
  ) {}

  @Get(':id/logs')
  async page(
    @Param('id', uuidParam()) id: string,
    @Query(new ZodPipe(runLogsQuery)) q: RunLogsQuery,
  ): Promise<{ items: RunLogLineView[]; nextCursor: string | null; latestId: string | null }> {
    if (!(await this.runs.find(this.pool, id))) throw runNotFound(id);
    const limit = q.limit;
    // The query schema checked the pattern: parsing cannot fail here.
    const after = q.after === undefined ? undefined : (parseLogCursor(q.after) ?? undefined);
    const { lines, latestId } = await this.logs.pageByTime(this.pool, id, { stepId: q.step, attempt: q.attempt, after, limit });
    return {
      items: lines.map((l) => ({
        id: l.id,
        stepId: l.stepId,
        attempt: l.attempt,
        at: l.at.toISOString(),
        level: l.level,
        message: l.message,
        fields: l.fields,
      })),
      nextCursor: lines.length === limit ? formatLogCursor(lines[lines.length - 1]!.cursor) : null,
      latestId,
    };
  }
}
