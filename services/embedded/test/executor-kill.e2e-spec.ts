import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { adminApiToken, createTestDatabase, readSse, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { buildIfNeeded, freePort, repoRoot, spawnHost, stopHost, waitFor, waitReady, type HostProcess } from './host-process';
import { PublicApi, stepOf, stepStates } from './public-api';

const REPLICA_MAIN = path.join(repoRoot, 'dist/services/embedded/test/fixtures/executor-replica.js');
const SLEEP_MS = 4_000;

const YAML = `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: long-nap
spec:
  type: sleep
  config: { ms: ${SLEEP_MS} }
---
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: tick
spec:
  type: noop
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata:
  name: survives-a-kill
spec:
  steps:
    - { id: work, job: long-nap }
    - { id: after, job: tick, dependsOn: [work] }
`;

interface Replica {
  id: string;
  process: HostProcess;
}

/**
 * "An executor process killed mid-step is re-dispatched and the run finishes once", with real
 * processes: the embedded host (orchestrator with its own builtin executor turned off) and two
 * replica processes hosting the builtin executor on the same Postgres bus (ff_bus in the same
 * database). The replica running the step is SIGKILLed: no goodbye, no StepFailed — only its silence.
 */
describe('executor process killed mid-step (real processes, Postgres bus)', () => {
  let db: TestDatabase;
  let home: string;
  let host: HostProcess;
  let api: PublicApi;
  const replicas: Replica[] = [];

  const startReplica = (id: string): Replica => {
    const replica = {
      id,
      process: spawnHost(
        { DATABASE_URL: db.url, REPLICA_INSTANCE_ID: id, REPLICA_STEP_LEASE_MS: '1500', REPLICA_BUS_LEASE_MS: '2000', LOG_LEVEL: 'info' },
        REPLICA_MAIN,
      ),
    };
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    buildIfNeeded();
    db = await createTestDatabase('ff_e2e_kill');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-home-kill-'));
    const port = await freePort();
    host = spawnHost({
      DATABASE_URL: db.url,
      PORT: String(port),
      FLOWFORGE_HOME: home,
      LOG_LEVEL: 'info',
      FLOWFORGE_ORCHESTRATOR_BUILTIN_EXECUTOR: 'false',
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200',
      FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS: '200',
      ...testAdminEnv,
    });
    api = new PublicApi(`http://127.0.0.1:${port}`, host);
    await waitReady(api.base, host, 90_000);
    api.token = await adminApiToken(api.base);
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) if (r.process.child.exitCode === null && r.process.child.signalCode === null) r.process.child.kill('SIGKILL');
    if (host && host.child.exitCode === null) await stopHost(host).catch(() => host.child.kill('SIGKILL'));
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it("re-dispatches the killed replica's attempt to the survivor; the run succeeds exactly once", async () => {
    // The orchestrator's own builtin executor is off: until a replica announces them, there are no builtin types.
    expect(await api.jobTypes()).not.toContain('sleep');

    const [a, b] = [startReplica('replica-a'), startReplica('replica-b')];
    for (const r of [a, b]) {
      await waitFor(
        `${r.id} to take dispatches`,
        async () => (r.process.stdout().includes(`executor replica ${r.id} ready`) ? true : undefined),
        30_000,
        r.process,
      );
    }
    await waitFor("the replicas' job types in the registry", async () => ((await api.jobTypes()).includes('sleep') ? true : undefined), 15_000, host);
    expect((await api.apply(YAML)).status).toBe(200);

    const { body: created } = await api.startRun('survives-a-kill');
    const running = await api.waitRun(created.id, (r) => stepOf(r, 'work').attempts[0]?.instanceId != null && stepOf(r, 'work').state === 'running', 15_000);
    const first = stepOf(running, 'work').attempts[0]!;
    const victim = replicas.find((r) => r.id === first.instanceId);
    expect(victim).toBeDefined();
    const survivor = replicas.find((r) => r !== victim)!;

    const killedAt = Date.now();
    victim!.process.child.kill('SIGKILL');
    expect(await victim!.process.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Lease 1.5 s (no heartbeat from a dead process) + sweep + the dead replica's bus partition lease (2 s)
    // + the replayed sleep (4 s): generous bounds, the point is that it happens at all and only once.
    const run = await api.waitRun(created.id, undefined, 60_000);
    expect(run.state).toBe('succeeded');
    expect(Date.now() - killedAt).toBeLessThan(45_000);
    expect(stepStates(run)).toEqual({ work: 'succeeded', after: 'succeeded' });
    const work = stepOf(run, 'work');
    expect(work.attempts.map((x) => `${x.attempt}:${x.state}:${x.instanceId}`)).toEqual([`1:lost:${victim!.id}`, `2:succeeded:${survivor.id}`]);
    expect(work.attempts[0]).toMatchObject({
      errorCode: 'FF_STEP_LEASE_EXPIRED',
      errorMessage: 'attempt 1 went silent: its executor sent nothing within the lease (stopped, crashed or unreachable)',
    });
    expect(work.outputs).toEqual({ sleptMs: SLEEP_MS });
    expect(stepOf(run, 'after').attempts.map((x) => `${x.attempt}:${x.state}:${x.instanceId}`)).toEqual([`1:succeeded:${survivor.id}`]);

    // Exactly one run, which went to succeeded once; the step went back to queued once (the re-dispatch).
    const runs = await api.call<{ items: { id: string }[] }>('GET', '/api/v1/runs?workflow=survives-a-kill');
    expect(runs.body.items.map((r) => r.id)).toEqual([created.id]);
    const events = await readSse(`${api.base}/api/v1/runs/${created.id}/events`, api.auth, 30_000).done;
    expect(events.filter((e) => e.event === 'run').map((e) => (e.data as { to: string }).to)).toEqual(['queued', 'running', 'succeeded']);
    const workTrail = events.filter((e) => e.event === 'step' && (e.data as { stepId: string }).stepId === 'work').map((e) => (e.data as { to: string }).to);
    expect(workTrail).toEqual(['queued', 'running', 'queued', 'running', 'succeeded']);

    // And on the bus: three dispatches (work#1, work#2, after#1), one completion per step, no failure;
    // still so after the survivor had time to do anything twice.
    await new Promise((r) => setTimeout(r, 2_000));
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ topic: string; n: number }>(
        `SELECT topic, count(*)::int AS n FROM ff_bus.log WHERE key = $1 AND topic LIKE 'flowforge.step.%' AND topic NOT IN ('flowforge.step.progress', 'flowforge.step.log')
         GROUP BY topic ORDER BY topic`,
        [created.id],
      );
      expect(Object.fromEntries(rows.map((r) => [r.topic, r.n]))).toEqual({
        'flowforge.step.cancel-requested': 1, // to attempt 1, in case it was still running somewhere
        'flowforge.step.completed': 2,
        'flowforge.step.dispatched.builtin': 3,
        'flowforge.step.started': 3,
      });
    } finally {
      await c.end();
    }
    const final = await api.getRun(created.id);
    expect(final).toEqual(run);

    // The survivor is healthy and stops cleanly.
    expect(await stopHost(survivor.process)).toBe(0);
  }, 120_000);
});
