import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlowForgeClient } from './api/flowforge.client';
import { ApiProblemError, CliFailure } from './cli.errors';
import { logIdOf, watchRun, type RunFeedEvent } from './run-feed.watcher';

const RUN_ID = '3f2b9c1e-8d4a-4c1b-9f7e-2a6d5c4b3a21';
const snapshot = { id: RUN_ID, workflow: 'w', workflowVersion: 1, state: 'running', steps: [] };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/** A real HTTP server on a loopback port, playing the gateway's event stream connection by connection. */
async function serve(handler: Handler): Promise<{ client: FlowForgeClient; lastEventIds: (string | undefined)[]; close: () => Promise<void> }> {
  const lastEventIds: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    lastEventIds.push(req.headers['last-event-id'] as string | undefined);
    handler(req, res, lastEventIds.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: new FlowForgeClient({ baseUrl: `http://127.0.0.1:${port}` }),
    lastEventIds,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const sse = (res: http.ServerResponse, id: string, event: string, data: unknown): boolean =>
  res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
const openStream = (res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
};

async function all(gen: AsyncGenerator<RunFeedEvent>): Promise<RunFeedEvent[]> {
  const out: RunFeedEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

describe('watchRun', () => {
  it('reopens a dropped stream after the last event id and ends at the end event', async () => {
    const gw = await serve((_req, res, n) => {
      openStream(res);
      if (n === 1) {
        sse(res, '0.0', 'snapshot', snapshot);
        sse(res, '1.0', 'step', { runId: RUN_ID, stepId: 'a', attempt: 1, from: 'pending', to: 'queued', reason: null, at: '2026-01-01T00:00:00Z' });
        setTimeout(() => res.destroy(), 20); // the gateway went away mid-run
        return;
      }
      sse(res, '1.0', 'snapshot', snapshot);
      sse(res, '2.0', 'run', { runId: RUN_ID, from: 'running', to: 'succeeded', reason: null, at: '2026-01-01T00:00:01Z' });
      sse(res, '2.0', 'end', { runId: RUN_ID, state: 'succeeded', reason: null });
      res.end();
    });
    try {
      const events = await all(watchRun(gw.client, RUN_ID, { reconnectDelayMs: 10 }));
      expect(events.map((e) => (e.kind === 'snapshot' ? `snapshot:${e.historyFollows}` : e.kind))).toEqual([
        'snapshot:true',
        'step',
        'snapshot:false',
        'run',
        'end',
      ]);
      expect(events.map((e) => e.cursor)).toEqual(['0.0', '1.0', '1.0', '2.0', '2.0']);
      expect(gw.lastEventIds).toEqual([undefined, '1.0']);
    } finally {
      await gw.close();
    }
  });

  it('says a stream error in words (message and code), not as the raw event data', async () => {
    const gw = await serve((_req, res) => {
      openStream(res);
      sse(res, '0.0', 'snapshot', snapshot);
      sse(res, '0.0', 'error', { code: 'FF_FEED_FAILED', message: 'the database is unreachable' });
      res.end();
    });
    try {
      const failure = await all(watchRun(gw.client, RUN_ID, { reconnectDelayMs: 1, maxReconnects: 0 })).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(CliFailure);
      expect((failure as Error).message).toBe("the server stopped sending the run's progress: the database is unreachable (FF_FEED_FAILED)");
    } finally {
      await gw.close();
    }
  });

  it('stops at once on an API problem (unknown run): no retry', async () => {
    const gw = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Not found', status: 404, detail: `run ${RUN_ID} does not exist`, code: 'FF_RUN_NOT_FOUND' }));
    });
    try {
      await expect(all(watchRun(gw.client, RUN_ID, { reconnectDelayMs: 10 }))).rejects.toThrow(ApiProblemError);
      expect(gw.lastEventIds).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });

  it('gives up after the reconnects it was allowed when every stream ends without news', async () => {
    const gw = await serve((_req, res) => {
      openStream(res);
      sse(res, '0.0', 'snapshot', snapshot);
      res.end();
    });
    try {
      await expect(all(watchRun(gw.client, RUN_ID, { reconnectDelayMs: 5, maxReconnects: 2 }))).rejects.toThrow(CliFailure);
      expect(gw.lastEventIds).toHaveLength(3);
    } finally {
      await gw.close();
    }
  });

  it('stops when its signal aborts (Ctrl+C) while the stream is quiet', async () => {
    const gw = await serve((_req, res) => {
      openStream(res);
      sse(res, '0.0', 'snapshot', snapshot);
    });
    const ctl = new AbortController();
    try {
      const seen: string[] = [];
      const watching = (async () => {
        for await (const e of watchRun(gw.client, RUN_ID, { signal: ctl.signal })) {
          seen.push(e.kind);
          ctl.abort(new Error('interrupted'));
        }
      })();
      await expect(watching).rejects.toThrow('interrupted');
      expect(seen).toEqual(['snapshot']);
    } finally {
      await gw.close();
    }
  });
});

describe('logIdOf', () => {
  it('reads the log line id of a stream cursor, and nothing from anything else', () => {
    expect(logIdOf('12.40')).toBe('40');
    expect(logIdOf('0.0')).toBe('0');
    for (const bad of [undefined, '', '12', 'a.b', '1.2.3']) expect(logIdOf(bad)).toBeUndefined();
  });
});
