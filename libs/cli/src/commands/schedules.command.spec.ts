import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScheduleDto } from '@flowforge/contracts/http-api';
import { runCli } from '../cli.program';
import { capturedIo, type CapturedIo } from '../testing/captured.io';
import { fakeGateway, jsonAnswer, problem, type FakeHandler, type FakeRequest } from '../testing/fake.gateway';

const TOKEN = 'ffp_0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a.Secret';

function schedule(over: Partial<ScheduleDto>): ScheduleDto {
  return {
    id: '7d1c1f7e-1111-4222-8333-444455556666',
    name: 'nightly',
    workflow: 'daily-sales',
    workflowVersion: null,
    description: null,
    cron: '30 2 * * *',
    preset: null,
    timezone: 'Europe/Berlin',
    params: {},
    paused: false,
    pauseNote: null,
    pausedAt: null,
    pausedBy: null,
    autoPauseAfterFailures: null,
    consecutiveFailures: 0,
    catchup: 'latest',
    catchupCap: 10,
    jitterMs: 0,
    excludedDates: [],
    calendars: [],
    overlap: 'skip',
    nextFireAt: '2026-03-29T01:00:00.000Z',
    createdBy: 'alice',
    updatedBy: 'alice',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('schedules commands (against a fake gateway)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-cli-sched-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(argv: string[], routes: Record<string, FakeHandler>): Promise<{ code: number; io: CapturedIo; requests: FakeRequest[] }> {
    const gw = fakeGateway(routes);
    const io = capturedIo({ FLOWFORGE_CONFIG_DIR: dir, FLOWFORGE_TOKEN: TOKEN }, { fetch: gw.fetch });
    const code = await runCli(argv, io);
    return { code, io, requests: gw.requests };
  }

  it('ls lists schedules with their state and next fire time', async () => {
    const { code, io } = await cli(['schedules', 'ls'], {
      'GET /api/v1/schedules': () => jsonAnswer(200, { items: [schedule({}), schedule({ name: 'weekly', paused: true, pauseNote: 'holiday' })] }),
    });
    expect(code).toBe(0);
    expect(io.stdout.text).toContain('nightly');
    expect(io.stdout.text).toContain('paused: holiday');
    expect(io.stdout.text).toContain('Europe/Berlin');
  });

  it('next asks for -n fire times and marks excluded dates; a bad -n is a usage error before any request', async () => {
    const { code, io, requests } = await cli(['schedules', 'next', 'nightly', '-n', '2'], {
      'GET /api/v1/schedules/nightly/next': () =>
        jsonAnswer(200, {
          schedule: 'nightly',
          timezone: 'Europe/Berlin',
          items: [
            { fireTime: '2026-03-29T01:00:00.000Z', local: '2026-03-29 03:00:00', excluded: false },
            { fireTime: '2026-03-30T00:30:00.000Z', local: '2026-03-30 02:30:00', excluded: true },
          ],
        }),
    });
    expect(code).toBe(0);
    expect(requests[0].query.get('count')).toBe('2');
    expect(io.stdout.text).toContain('2026-03-29 03:00:00');
    expect(io.stdout.text).toContain('excluded by the calendar');
    const bad = await cli(['schedules', 'next', 'nightly', '-n', '101'], {});
    expect(bad.code).toBe(2);
    expect(bad.requests).toHaveLength(0);
    expect(bad.io.stderr.text).toContain('-n/--count must be an integer from 1 to 100');
  });

  it('pause sends the note, resume and backfill call their routes; a refusal exits 1 with the problem', async () => {
    const paused = await cli(['schedules', 'pause', 'nightly', '--note', 'maintenance'], {
      'POST /api/v1/schedules/nightly/pause': (req) => jsonAnswer(200, schedule({ paused: true, pauseNote: (req.body as { note: string }).note })),
    });
    expect(paused.code).toBe(0);
    expect(paused.requests[0].body).toEqual({ note: 'maintenance' });
    expect(paused.io.stdout.text).toContain('nightly paused: maintenance');
    const resumed = await cli(['schedules', 'resume', 'nightly'], { 'POST /api/v1/schedules/nightly/resume': () => jsonAnswer(200, schedule({})) });
    expect(resumed.code).toBe(0);
    const filled = await cli(['schedules', 'backfill', 'nightly', '--from', '2026-01-01', '--to', '2026-01-02'], {
      'POST /api/v1/schedules/nightly/backfill': () =>
        jsonAnswer(201, {
          schedule: 'nightly',
          from: '2025-12-31T23:00:00.000Z',
          to: '2026-01-02T22:59:59.999Z',
          requested: 1,
          existing: 1,
          skipped: 0,
          runs: [
            { fireTime: '2026-01-01T01:30:00.000Z', runId: '00000000-0000-5000-8000-000000000001', outcome: 'fired', reason: null },
            { fireTime: '2026-01-02T01:30:00.000Z', runId: null, outcome: 'existing', reason: null },
          ],
        }),
    });
    expect(filled.code).toBe(0);
    expect(filled.requests[0].body).toEqual({ from: '2026-01-01', to: '2026-01-02' });
    expect(filled.io.stderr.text + filled.io.stdout.text).toContain('1 run(s) requested, 1 backfilled before, 0 skipped');
    const refused = await cli(['schedules', 'pause', 'nightly'], {
      'POST /api/v1/schedules/nightly/pause': () => problem(403, 'FF_FORBIDDEN', "the caller's roles do not grant schedule:execute"),
    });
    expect(refused.code).toBe(1);
    expect(refused.io.stderr.text).toContain('schedule:execute');
    const badRange = await cli(['schedules', 'backfill', 'nightly', '--from', 'yesterday', '--to', '2026-01-02'], {});
    expect([badRange.code, badRange.requests.length]).toEqual([2, 0]);
  });
});
