import { Controller, Get, Headers, Inject, Param, Query, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { uuidParam } from '@flowforge/http';
import { serviceConfigToken, type HttpResponse } from '@flowforge/service-kit';
import { isTerminalRunState } from '@flowforge/workflow';
import type { OrchestratorConfig } from '../orchestrator.config';
import { runNotFound } from '../runs/run.errors';
import { RunQueries } from '../runs/run.queries';
import { RunStore } from '../runs/run.store';
import type { StepProgressRecord } from '../runs/run.records';
import { ORCHESTRATOR_POOL } from '../orchestrator.database';
import type { Pool } from 'pg';
import { RunFeedListener } from './run-feed.listener';
import { formatCursor, parseCursor, RunFeedReader, type FeedCursor } from './run-feed.reader';

const PAGE = 500;

const progressKey = (p: StepProgressRecord): string => `${p.attempt}@${p.at}:${p.percent}:${p.message}:${JSON.stringify(p.metrics)}`;
const KEEPALIVE_MS = 15_000;

function send(res: HttpResponse, event: string, data: unknown, id?: string): void {
  res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * Live run events as Server-Sent Events: `snapshot` (the run with its steps) first, then `run` and
 * `step` state changes and `log` lines as they commit, `progress` when a step reports it, and `end` once the run is final and everything
 * before it was sent. Each event's id is the stream cursor: a client reconnecting with Last-Event-ID
 * (or `?after=`) resumes where it left off. Woken by NOTIFY, polling as the fallback.
 */
/** After the run is final, the stream waits this long without a new log line before it ends... */
const LOG_SETTLE_MS = 750;
/** ...and never longer than this after the run became final. */
const LOG_SETTLE_MAX_MS = 5_000;

@Controller('internal/orchestrator/runs')
export class RunEventsController implements BeforeApplicationShutdown {
  private readonly open = new Set<AbortController>();

  constructor(
    @Inject(ORCHESTRATOR_POOL) private readonly pool: Pool,
    @Inject(serviceConfigToken('orchestrator')) private readonly config: OrchestratorConfig,
    private readonly runs: RunStore,
    private readonly queries: RunQueries,
    private readonly reader: RunFeedReader,
    private readonly listener: RunFeedListener,
  ) {}

  @Get(':id/events')
  async events(
    @Param('id', uuidParam()) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: string | undefined,
    @Res() res: HttpResponse,
  ): Promise<void> {
    const snapshot = await this.queries.get(id); // 404 problem before the stream starts
    const abort = new AbortController();
    this.open.add(abort);
    // The response closes when the client goes away (the request's own 'close' may come earlier).
    res.on('close', () => abort.abort());
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const sub = await this.listener.subscribe(id);
    let cursor: FeedCursor = parseCursor(lastEventId ?? after);
    // Progress is not part of the resumable feed: the latest of each step is sent when it changes (the
    // snapshot holds it at the start), without an id, so a reconnect resumes the feed where it was.
    const progressSent = new Map<string, string>((snapshot.steps ?? []).filter((s) => s.progress).map((s) => [s.stepId, progressKey(s.progress!)]));
    try {
      send(res, 'snapshot', snapshot, formatCursor(cursor));
      let quietSince = Date.now();
      let lastEntryAt = Date.now();
      let finalSince: number | null = null;
      while (!abort.signal.aborted) {
        // Read the state before the feed: if it is final now, the feed read next holds everything.
        const run = await this.runs.find(this.pool, id);
        if (!run) throw runNotFound(id);
        const { entries, full } = await this.reader.after(id, cursor, PAGE);
        for (const e of entries) {
          cursor = e.kind === 'log' ? { ...cursor, logs: e.id } : { ...cursor, transitions: e.id };
          send(res, e.kind, e.data, formatCursor(cursor));
        }
        if (entries.length) quietSince = lastEntryAt = Date.now();
        if (full) continue;
        for (const p of await this.progressChanges(id, progressSent)) send(res, 'progress', p);
        if (isTerminalRunState(run.state)) {
          // Log lines travel on their own topic and may commit after the outcome that ended the run:
          // the stream ends once they have been quiet for a moment (bounded), not at the final state.
          // A run that finished long ago (finishedAt is the database's clock) has nothing left in flight.
          finalSince ??= run.finishedAt && Date.now() - run.finishedAt.getTime() > LOG_SETTLE_MAX_MS ? 0 : Date.now();
          const now = Date.now();
          if (now - lastEntryAt >= LOG_SETTLE_MS || now - finalSince >= LOG_SETTLE_MAX_MS) {
            send(res, 'end', { runId: id, state: run.state, reason: run.reason }, formatCursor(cursor));
            break;
          }
          await sub.changed(LOG_SETTLE_MS - (now - lastEntryAt), abort.signal);
          continue;
        }
        if (Date.now() - quietSince >= KEEPALIVE_MS) {
          res.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
        await sub.changed(Math.min(this.config.FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS, KEEPALIVE_MS), abort.signal);
      }
    } catch (err) {
      // Headers are sent: the error can only be told as an event.
      if (!abort.signal.aborted) send(res, 'error', { code: 'FF_FEED_FAILED', message: err instanceof Error ? err.message : String(err) });
    } finally {
      sub.close();
      this.open.delete(abort);
      res.end();
    }
  }

  /** Steps whose latest progress differs from what this stream sent (and records it as sent). */
  private async progressChanges(runId: string, sent: Map<string, string>): Promise<(StepProgressRecord & { stepId: string })[]> {
    const { rows } = await this.pool.query<{ step_id: string; progress: StepProgressRecord }>(
      `SELECT step_id, progress FROM ff_orchestrator.run_steps WHERE run_id = $1 AND progress IS NOT NULL ORDER BY position`,
      [runId],
    );
    const changed = [];
    for (const r of rows) {
      const key = progressKey(r.progress);
      if (sent.get(r.step_id) === key) continue;
      sent.set(r.step_id, key);
      changed.push({ stepId: r.step_id, ...r.progress });
    }
    return changed;
  }

  /** Open streams would keep the HTTP server from closing: end them first. */
  beforeApplicationShutdown(): void {
    for (const a of this.open) a.abort();
  }
}
