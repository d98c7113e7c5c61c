import type { RunChangeEventDto, RunDto, RunEndEventDto, RunLogEventDto, StepChangeEventDto, StepProgressEventDto } from '@flowforge/contracts/http-api';
import type { FlowForgeClient } from './api/flowforge.client';
import type { SseMessage } from './api/sse.parser';
import { ApiProblemError, CliFailure } from './cli.errors';

/** A run's live events, decoded; `cursor` is the SSE event id (`<transition id>.<log line id>`). */
export type RunFeedEvent = RunFeedPayload & { cursor?: string };

type RunFeedPayload =
  /**
   * The run with its steps when the connection opened. `historyFollows`: the stream replays every
   * state change from the run's beginning after it (a connection without a cursor), so a display
   * should fold those rather than take the snapshot's states, or it would show them going backwards.
   */
  | { kind: 'snapshot'; run: RunDto; historyFollows: boolean }
  | { kind: 'run'; change: RunChangeEventDto }
  | { kind: 'step'; change: StepChangeEventDto }
  | { kind: 'log'; line: RunLogEventDto }
  | { kind: 'progress'; progress: StepProgressEventDto }
  | { kind: 'end'; end: RunEndEventDto };

export interface WatchOptions {
  /** A stream cursor (event id) to resume after; absent: from the run's beginning. */
  after?: string;
  signal?: AbortSignal;
  /** Reconnects in a row without an event before giving up; default 5. */
  maxReconnects?: number;
  /** First reconnect delay, doubled each time; default 500 ms. */
  reconnectDelayMs?: number;
}

/**
 * Follows a run's event stream until its `end` event. A stream that drops (the gateway restarted, a
 * proxy timed out) is reopened from the last event id, so nothing is lost or repeated — except the
 * `snapshot`, which every connection starts with and which holds the whole state again. An API
 * problem (unknown run) ends the watch at once; a connection that keeps failing ends it with the last
 * error.
 */
export async function* watchRun(client: FlowForgeClient, runId: string, options: WatchOptions = {}): AsyncGenerator<RunFeedEvent> {
  const maxReconnects = options.maxReconnects ?? 5;
  const baseDelay = options.reconnectDelayMs ?? 500;
  let cursor = options.after;
  let failures = 0;
  for (;;) {
    let lastError: unknown;
    const historyFollows = cursor === undefined || cursor.startsWith('0.');
    try {
      for await (const message of client.runEvents(runId, { after: cursor, signal: options.signal })) {
        if (message.id !== undefined) cursor = message.id;
        if (message.event === 'error') {
          lastError = new CliFailure(`the server stopped sending the run's progress: ${streamError(message.data)}`);
          break;
        }
        const event = decode(message, historyFollows);
        if (!event) continue;
        if (event.kind !== 'snapshot') failures = 0;
        yield event;
        if (event.kind === 'end') return;
      }
      lastError ??= new CliFailure(`the server stopped sending the progress of run ${runId} before the run ended`);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      // 4xx (unknown run, bad id) will not get better; 5xx (gateway up, orchestrator not) may.
      if (err instanceof ApiProblemError && err.status < 500) throw err;
      lastError = err;
    }
    failures++;
    if (failures > maxReconnects) throw lastError;
    await sleep(baseDelay * 2 ** (failures - 1), options.signal);
  }
}

/** The stream's `error` event as a sentence: its message and code (`{code, message}`), else the text. */
function streamError(data: string): string {
  try {
    const e = JSON.parse(data) as { code?: unknown; message?: unknown };
    if (typeof e.message === 'string') return typeof e.code === 'string' ? `${e.message} (${e.code})` : e.message;
  } catch {
    // not JSON: shown as it came
  }
  return data;
}

function decode(message: SseMessage, historyFollows: boolean): RunFeedEvent | undefined {
  const payload = decodePayload(message, historyFollows);
  return payload && { ...payload, cursor: message.id };
}

/** The log line id inside a stream cursor (`12.40` -> `40`). */
export function logIdOf(cursor: string | undefined): string | undefined {
  return /^\d+\.(\d+)$/.exec(cursor ?? '')?.[1];
}

function decodePayload(message: SseMessage, historyFollows: boolean): RunFeedPayload | undefined {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return undefined; // not ours; a later server may add event types too
  }
  switch (message.event) {
    case 'snapshot':
      return { kind: 'snapshot', run: data as RunDto, historyFollows };
    case 'run':
      return { kind: 'run', change: data as RunChangeEventDto };
    case 'step':
      return { kind: 'step', change: data as StepChangeEventDto };
    case 'log':
      return { kind: 'log', line: data as RunLogEventDto };
    case 'progress':
      return { kind: 'progress', progress: data as StepProgressEventDto };
    case 'end':
      return { kind: 'end', end: data as RunEndEventDto };
    default:
      return undefined;
  }
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
