import { schedulerService } from '@flowforge/service-scheduler';
import { triggersService } from '@flowforge/service-triggers';
import { createTestDatabase } from '@flowforge/testing';
import { startAuthHost, type AuthHost } from './auth-host';

const PIPELINE = `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: sched-noop
spec:
  type: noop
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: sched-long
spec:
  type: sleep
  config: { ms: 60000 }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: sched-report
spec:
  parameters:
    - { name: day, type: date, required: true }
  steps:
    - { id: build, job: sched-noop }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: sched-slow
spec:
  steps:
    - { id: wait, job: sched-long }
`;

interface Fire {
  fireTime: string;
  outcome: string;
  reason: string | null;
  runId: string | null;
  runState: string | null;
}
interface Problem {
  code: string;
  errors?: { field: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * /api/v1/schedules through the gateway, with the scheduler, the auth service and the orchestrator in one
 * process (as embedded): permissions per role, audit, input errors, and a schedule's runs created by the
 * orchestrator from its RunRequested (and cancelled by overlap cancel_running).
 */
describe('schedules API (embedded: gateway → scheduler → RunRequested → orchestrator)', () => {
  let host: AuthHost;
  let admin: string;

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_sched_api'), { FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200', FLOWFORGE_SCHEDULER_TICK_MS: '100' }, [
      schedulerService,
      triggersService, // an export lists triggers beside schedules
    ]);
    admin = await host.adminToken();
    const applied = await host.call('POST', '/api/v1/workflows/apply', { token: admin, body: { yaml: PIPELINE } });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await host?.stop();
  });

  const history = async (name: string, token: string): Promise<Fire[]> => {
    const res = await host.call<{ items: Fire[] }>('GET', `/api/v1/schedules/${name}/history`, { token });
    expect(res.status).toBe(200);
    return res.body.items.reverse();
  };

  it('enforces the schedule permissions: analyst views only, operator pauses, resumes and backfills, developer creates and deletes; changes are audited', async () => {
    const analyst = await host.userWith(['analyst']);
    const operator = await host.userWith(['operator']);
    const developer = await host.userWith(['developer']);
    const body = { workflow: 'sched-report', preset: { every: 'day', at: '02:30' }, timezone: 'Europe/Berlin', params: { day: '${fireDate}' }, paused: true };

    const refused = await host.call<Problem>('PUT', '/api/v1/schedules/nightly', { token: analyst.token, body });
    expect([refused.status, refused.body.code]).toEqual([403, 'FF_FORBIDDEN']);
    expect((await host.call('PUT', '/api/v1/schedules/nightly', { token: operator.token, body })).status).toBe(403);
    const created = await host.call<{ name: string; cron: string; paused: boolean; createdBy: string }>('PUT', '/api/v1/schedules/nightly', {
      token: developer.token,
      body,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'nightly', cron: '30 2 * * *', paused: true, createdBy: developer.username });

    const listed = await host.call<{ items: { name: string }[] }>('GET', '/api/v1/schedules', { token: analyst.token });
    expect([listed.status, listed.body.items.map((s) => s.name)]).toEqual([200, ['nightly']]);
    const next = await host.call<{ items: { local: string }[] }>('GET', '/api/v1/schedules/nightly/next?count=2', { token: analyst.token });
    expect(next.body.items.map((i) => i.local.slice(11))).toEqual(['02:30:00', '02:30:00']);
    expect((await host.call('POST', '/api/v1/schedules/nightly/pause', { token: analyst.token, body: { note: 'no' } })).status).toBe(403);

    const paused = await host.call<{ paused: boolean; pauseNote: string; pausedBy: string }>('POST', '/api/v1/schedules/nightly/pause', {
      token: operator.token,
      body: { note: 'warehouse maintenance' },
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, pauseNote: 'warehouse maintenance' });
    expect((await host.call<{ paused: boolean }>('POST', '/api/v1/schedules/nightly/resume', { token: operator.token })).body.paused).toBe(false);
    expect((await host.call('DELETE', '/api/v1/schedules/nightly', { token: operator.token })).status).toBe(403);
    expect((await host.call('DELETE', '/api/v1/schedules/nightly', { token: developer.token })).status).toBe(204);
    expect((await host.call<Problem>('GET', '/api/v1/schedules/nightly', { token: analyst.token })).body.code).toBe('FF_SCHEDULE_NOT_FOUND');

    let actions: string[] = [];
    for (let i = 0; i < 50 && !actions.includes('schedule:delete'); i++) {
      const entries = await host.call<{ items: { action: string; outcome: string; actorName: string | null }[] }>('GET', '/api/v1/audit/entries?limit=1000', {
        token: admin,
      });
      actions = entries.body.items.filter((e) => e.action.startsWith('schedule:')).map((e) => `${e.action}${e.outcome === 'denied' ? ' denied' : ''}`);
      await sleep(100);
    }
    expect(actions).toEqual(
      expect.arrayContaining([
        'schedule:edit denied',
        'schedule:edit',
        'schedule:execute denied',
        'schedule:execute',
        'schedule:delete denied',
        'schedule:delete',
      ]),
    );
  });

  it('refuses bad input with 400 naming the field (never 500), bounded queries included', async () => {
    const fields = async (method: string, path: string, body?: unknown): Promise<[number, string[]]> => {
      const res = await host.call<Problem>(method, path, { token: admin, body });
      return [res.status, (res.body.errors ?? []).map((e) => e.field).sort()];
    };
    expect(await fields('PUT', '/api/v1/schedules/bad', { workflow: 'sched-report', cron: '* * *', timezone: 'Europe/Nowhere' })).toEqual([
      400,
      ['cron', 'timezone'],
    ]);
    expect(await fields('PUT', '/api/v1/schedules/bad', { workflow: 'sched-report', preset: { every: 'fortnight', at: '01:00' } })).toEqual([
      400,
      ['preset.every'],
    ]);
    expect(await fields('PUT', '/api/v1/schedules/Bad.Name', { workflow: 'sched-report', cron: '* * * * *' })).toEqual([400, ['name']]);
    expect(await fields('GET', '/api/v1/schedules/bad/next?count=1000')).toEqual([400, ['count']]);
    expect(await fields('GET', '/api/v1/schedules/bad/history?limit=0&outcome=maybe')).toEqual([400, ['limit', 'outcome']]);
    expect(await fields('POST', '/api/v1/schedules/bad/backfill', { from: 'yesterday' })).toEqual([400, ['from', 'to']]);
    expect(await fields('POST', '/api/v1/schedules/bad/pause', { note: '' })).toEqual([400, ['note']]);
  });

  it('fires a schedule every second: the orchestrator creates each run it requests, as the scheduler', async () => {
    const put = await host.call('PUT', '/api/v1/schedules/every-second', {
      token: admin,
      body: { workflow: 'sched-report', cron: '* * * * * *', params: { day: '${fireDate}' }, overlap: 'allow' },
    });
    expect(put.status).toBe(201);
    let fired: Fire[] = [];
    for (let i = 0; i < 100 && fired.filter((f) => f.runState === 'succeeded').length < 2; i++) {
      await sleep(100);
      fired = (await history('every-second', admin)).filter((f) => f.outcome === 'fired');
    }
    expect((await host.call('POST', '/api/v1/schedules/every-second/pause', { token: admin })).status).toBe(200);
    const done = fired.find((f) => f.runState === 'succeeded')!;
    expect(done).toBeDefined();
    const run = await host.call<{ id: string; workflow: string; state: string; requestedBy: string; params: Record<string, unknown> }>(
      'GET',
      `/api/v1/runs/${done.runId}`,
      { token: admin },
    );
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id: done.runId, workflow: 'sched-report', state: 'succeeded', requestedBy: 'scheduler' });
    expect(run.body.params.day).toBe(done.fireTime.slice(0, 10));
  });

  it('overlap cancel_running: a new fire cancels the schedule’s run still running, through the orchestrator', async () => {
    const put = await host.call('PUT', '/api/v1/schedules/supersede', {
      token: admin,
      body: { workflow: 'sched-slow', cron: '*/2 * * * * *', overlap: 'cancel_running' },
    });
    expect(put.status).toBe(201);
    let fires: Fire[] = [];
    for (let i = 0; i < 150 && !fires.some((f) => f.runState === 'cancelled'); i++) {
      await sleep(100);
      fires = (await history('supersede', admin)).filter((f) => f.outcome === 'fired');
    }
    expect((await host.call('POST', '/api/v1/schedules/supersede/pause', { token: admin })).status).toBe(200);
    const cancelled = fires.find((f) => f.runState === 'cancelled')!;
    expect(cancelled).toBeDefined();
    const run = await host.call<{ state: string; cancelledBy: string | null; reason: string | null }>('GET', `/api/v1/runs/${cancelled.runId}`, {
      token: admin,
    });
    expect(run.body).toMatchObject({ state: 'cancelled', cancelledBy: 'scheduler' });
    expect(run.body.reason).toContain('overlap cancel_running');
    // Clean up: cancel the run left running.
    for (const f of fires.filter((x) => x.runState === 'running' || x.runState === null))
      await host.call('POST', `/api/v1/runs/${f.runId}/cancel`, { token: admin });
  });

  it('replacing needs schedule:edit; creating a schedule that does not exist also schedule:create', async () => {
    expect(
      (
        await host.call('PUT', '/api/v1/roles/sched-editor', {
          token: admin,
          body: { description: 'edits schedules', permissions: ['schedule:view', 'schedule:edit'] },
        })
      ).status,
    ).toBeLessThan(300);
    const editor = await host.userWith(['sched-editor']);
    const body = { workflow: 'sched-report', cron: '0 3 * * *', timezone: 'UTC' };
    const refused = await host.call<Problem>('PUT', '/api/v1/schedules/editor-new', { token: editor.token, body });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('schedule:create');
    expect((await host.call('GET', '/api/v1/schedules/editor-new', { token: admin })).status).toBe(404);
    expect((await host.call('PUT', '/api/v1/schedules/editor-new', { token: admin, body })).status).toBe(201);
    expect((await host.call('PUT', '/api/v1/schedules/editor-new', { token: editor.token, body: { ...body, cron: '0 4 * * *' } })).status).toBe(200);
    await host.call('DELETE', '/api/v1/schedules/editor-new', { token: admin });
  });

  it('calendars through the gateway: developers edit them, analysts and operators only read; a schedule names them', async () => {
    const analyst = await host.userWith(['analyst']);
    const operator = await host.userWith(['operator']);
    const developer = await host.userWith(['developer']);
    const body = { description: 'shop closed', dates: ['2026-12-25', '2027-01-01'] };
    expect((await host.call('PUT', '/api/v1/calendars/shop-closed', { token: analyst.token, body })).status).toBe(403);
    expect((await host.call('PUT', '/api/v1/calendars/shop-closed', { token: operator.token, body })).status).toBe(403);
    const created = await host.call<{ name: string; dates: string[] }>('PUT', '/api/v1/calendars/shop-closed', { token: developer.token, body });
    expect(created.status).toBe(201);
    expect((await host.call<{ dates: string[] }>('GET', '/api/v1/calendars/shop-closed', { token: analyst.token })).body.dates).toEqual([
      '2026-12-25',
      '2027-01-01',
    ]);
    const bad = await host.call<Problem>('PUT', '/api/v1/calendars/shop-closed', { token: developer.token, body: { dates: ['25.12.2026'] } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('dates[0]');
    const schedule = await host.call<{ calendars: string[] }>('PUT', '/api/v1/schedules/with-calendar', {
      token: developer.token,
      body: { workflow: 'sched-report', cron: '0 6 * * *', timezone: 'Europe/Berlin', calendars: ['shop-closed'] },
    });
    expect(schedule.status).toBe(201);
    expect(schedule.body.calendars).toEqual(['shop-closed']);
    const inUse = await host.call<Problem>('DELETE', '/api/v1/calendars/shop-closed', { token: admin });
    expect(inUse.status).toBe(409);
    expect(inUse.text).toContain('with-calendar');
    await host.call('DELETE', '/api/v1/schedules/with-calendar', { token: admin });
    expect((await host.call('DELETE', '/api/v1/calendars/shop-closed', { token: admin })).status).toBe(204);
  });

  it('workflow-as-code: a schedule declared in the file is applied after its workflow, exported with it, and round-trips', async () => {
    const file = [
      'apiVersion: flowforge.io/v1',
      'kind: Workflow',
      'metadata: { name: declared-nightly }',
      'spec:',
      '  steps: [{ id: one, job: sched-noop }]',
      '---',
      'apiVersion: flowforge.io/v1',
      'kind: Schedule',
      'metadata: { name: declared-nightly-0230, description: every night }',
      'spec:',
      '  workflow: declared-nightly',
      '  cron: "30 2 * * *"',
      '  timezone: Europe/Berlin',
      '  catchup: none',
      '  overlap: skip',
      '  excludedDates: [2026-12-25]',
      '',
    ].join('\n');
    const yamlPost = (text: string, token?: string): Promise<Response> => host.applyYaml(text, token);
    // A developer's token scoped to workflows only: refused before anything is applied, naming the permission.
    const narrow = await host.scopedToken(['workflow:create', 'workflow:view']);
    const refused = await yamlPost(file, narrow);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('schedule:edit');

    const applied = await yamlPost(file);
    expect({ status: applied.status, body: applied.status === 200 ? null : await applied.clone().text() }).toEqual({ status: 200, body: null });
    const docs = ((await applied.json()) as { documents: { kind: string; name: string; status: string }[] }).documents;
    expect(docs.map((d) => `${d.kind} ${d.name} ${d.status}`)).toEqual(['Workflow declared-nightly created', 'Schedule declared-nightly-0230 created']);
    const schedule = await host.call<{ cron: string; timezone: string; excludedDates: string[]; description: string }>(
      'GET',
      '/api/v1/schedules/declared-nightly-0230',
      { token: admin },
    );
    expect(schedule.body).toMatchObject({ cron: '30 2 * * *', timezone: 'Europe/Berlin', excludedDates: ['2026-12-25'], description: 'every night' });

    const exportOf = async (): Promise<string> =>
      (await fetch(`${host.base}/api/v1/workflows/export?workflow=declared-nightly`, { headers: { authorization: `Bearer ${admin}` } })).text();
    const text = await exportOf();
    expect(text).toContain('kind: Schedule');
    expect(text).toContain('timezone: Europe/Berlin');
    const again = await yamlPost(text);
    expect(again.status).toBe(200);
    expect(await exportOf()).toBe(text);
    // An analyst views schedules: the export holds them too; a bad schedule is named with what came before it.
    const analyst = await host.userWith(['analyst']);
    expect(
      await (await fetch(`${host.base}/api/v1/workflows/export?workflow=declared-nightly`, { headers: { authorization: `Bearer ${analyst.token}` } })).text(),
    ).toBe(text);
    const bad = await yamlPost(file.replace('timezone: Europe/Berlin', 'timezone: Mars/Olympus'));
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { detail: string; errors: { field: string }[] };
    expect(problem.detail).toContain('Schedule "declared-nightly-0230"');
    expect(problem.errors.map((e) => e.field)).toContain('Schedule "declared-nightly-0230": timezone');
    await host.call('DELETE', '/api/v1/schedules/declared-nightly-0230', { token: admin });
  });
});
