import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogLineDto, LogPageDto, RunDto } from '@flowforge/contracts/http-api';
import { runCli } from '../cli.program';
import { capturedIo, type CapturedIo } from '../testing/captured.io';
import { fakeGateway, jsonAnswer, type FakeHandler, type FakeRequest } from '../testing/fake.gateway';

const RUN = '5b8d7c1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
const TOKEN = 'ffp_0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a.Secret';

function run(over: Partial<RunDto>): RunDto {
  return {
    id: RUN,
    workflow: 'nightly',
    workflowVersion: 1,
    state: 'succeeded',
    reason: null,
    params: {},
    requestedBy: 'alice',
    cancelledBy: null,
    idempotencyKey: null,
    parentRunId: null,
    rerunFrom: null,
    createdAt: '2026-01-01T12:00:00.000Z',
    startedAt: '2026-01-01T12:00:00.000Z',
    finishedAt: '2026-01-01T12:00:02.000Z',
    deadlineAt: null,
    ...over,
  };
}

const line = (id: number, second: number, message: string): LogLineDto => ({
  id: String(id),
  stepId: 'load',
  attempt: 1,
  at: `2026-01-01T12:00:0${second}.000Z`,
  level: 'info',
  message,
  fields: null,
});

describe('runs and logs commands (against a fake gateway)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-runs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(argv: string[], routes: Record<string, FakeHandler>): Promise<{ code: number; io: CapturedIo; requests: FakeRequest[] }> {
    const gw = fakeGateway(routes);
    const io = capturedIo({ FLOWFORGE_CONFIG_DIR: dir, FLOWFORGE_TOKEN: TOKEN }, { fetch: gw.fetch });
    const code = await runCli(argv, io);
    return { code, io, requests: gw.requests };
  }

  it('runs shows who started each run: a user, an API token, the scheduler', async () => {
    const items = [
      run({ id: '00000000-0000-4000-8000-000000000003', requestedBy: 'alice' }),
      run({ id: '00000000-0000-4000-8000-000000000002', requestedBy: 'token:ci-deploy', state: 'cancelled', cancelledBy: 'bob', reason: 'cancelled by bob' }),
      run({ id: '00000000-0000-4000-8000-000000000001', requestedBy: 'scheduler' }),
    ];
    const r = await cli(['runs'], { 'GET /api/v1/runs': () => jsonAnswer(200, { items, nextCursor: null }) });
    expect(r.code).toBe(0);
    const [header, ...rows] = r.io.stdout.text.trimEnd().split('\n');
    expect(header).toMatch(/^RUN +WORKFLOW +VER +STATE +BY +CREATED +TOOK +REASON$/);
    expect(rows.map((row) => row.split(/ {2,}/)[4])).toEqual(['alice', 'token:ci-deploy', 'scheduler']);
    expect(rows[1]).toMatch(/cancelled by bob$/);
  });

  it('logs prints the pages in the order the API gives (oldest first by timestamp), following each nextCursor', async () => {
    const pages: Record<string, LogPageDto> = {
      '': { items: [line(4, 1, 'one'), line(9, 2, 'two')], nextCursor: '1767268802000000_9', latestId: '9' },
      '1767268802000000_9': { items: [line(5, 3, 'three')], nextCursor: null, latestId: '9' },
    };
    const r = await cli(['logs', RUN], { [`GET /api/v1/runs/${RUN}/logs`]: (q) => jsonAnswer(200, pages[q.query.get('after') ?? '']) });
    expect(r.code).toBe(0);
    expect(
      r.io.stdout.text
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ').pop()),
    ).toEqual(['one', 'two', 'three']);
    expect(r.requests.map((q) => q.query.get('after'))).toEqual([null, '1767268802000000_9']);
  });

  it("logs --follow resumes the stream after the first page's latestId and prints a line stored while paging once", async () => {
    // Page 1 was read when line 6 was the newest; line 8 (an older timestamp) was stored before page 2
    // was read, so page 2 prints it, and the stream (after 0.6) replays it: printed once, then 10.
    const pages: Record<string, LogPageDto> = {
      '': { items: [line(4, 1, 'one'), line(6, 3, 'three')], nextCursor: '1767268803000000_6', latestId: '6' },
      '1767268803000000_6': { items: [line(8, 4, 'four')], nextCursor: null, latestId: '8' },
    };
    const feed = (id: string, event: string, data: unknown): string => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    const stream = [
      feed('3.6', 'snapshot', run({ state: 'running' })),
      feed('3.8', 'log', line(8, 4, 'four')),
      feed('4.8', 'run', { runId: RUN, from: 'running', to: 'succeeded', reason: null, at: '2026-01-01T12:00:05.000Z' }),
      feed('4.10', 'log', line(10, 5, 'five')),
      feed('4.10', 'end', { runId: RUN, state: 'succeeded', reason: null }),
    ].join('');
    let lastEventId: string | undefined;
    const r = await cli(['logs', RUN, '--follow'], {
      [`GET /api/v1/runs/${RUN}/logs`]: (q) => jsonAnswer(200, pages[q.query.get('after') ?? '']),
      [`GET /api/v1/runs/${RUN}/events`]: (q) => {
        lastEventId = q.headers['last-event-id'];
        return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
      },
    });
    expect(r.code).toBe(0);
    expect(lastEventId).toBe('0.6');
    expect(
      r.io.stdout.text
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' ').pop()),
    ).toEqual(['one', 'three', 'four', 'five']);
    expect(r.io.stderr.text).toBe(`run ${RUN} succeeded\n`);
  });
});
