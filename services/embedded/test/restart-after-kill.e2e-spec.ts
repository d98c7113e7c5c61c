import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminApiToken, testAdminEnv } from '@flowforge/testing';
import { isAlive, lockHolder, readPostmasterLock } from '../src/postmaster-lock.recovery';
import { buildIfNeeded, freePort, spawnHost, stopHost, waitReady, type HostProcess } from './host-process';
import { PublicApi, stepOf, stepStates } from './public-api';

const SLEEP_MS = 3_000;

const YAML = `
apiVersion: flowforge.io/v1
kind: Job
metadata:
  name: nap
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
  name: outlives-the-host
spec:
  steps:
    - { id: work, job: nap }
    - { id: after, job: tick, dependsOn: [work] }
`;

/**
 * `kill -9` of the embedded host with its own PostgreSQL (no DATABASE_URL), then a start on the same
 * FLOWFORGE_HOME: the server the dead host left running is found through postmaster.pid and stopped,
 * the host comes up with no hand cleanup, and the run that was mid-step finishes (attempt 1 lost when
 * its lease expires, attempt 2 succeeds). Then a stale postmaster.pid (dead pid, reused pid) is no obstacle,
 * and, where the host's watchdog runs, the server does not outlive a SIGKILLed host in the first place.
 */
describe('restart after SIGKILL of the embedded host (its own PostgreSQL)', () => {
  let home: string;
  let env: Record<string, string>;
  let base: string;
  const hosts: HostProcess[] = [];
  let orphanPid = 0;

  const start = (): HostProcess => {
    const h = spawnHost(env);
    hosts.push(h);
    return h;
  };
  const warnings = (h: HostProcess) =>
    h
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; pid?: number; holder?: string });

  /** Pids of the `sh` that stops the server when the host dies (embedded-postgres.cluster.ts). */
  const watchdogOf = (h: HostProcess): number[] => {
    try {
      return execFileSync('pgrep', ['-P', String(h.child.pid), '-f', 'flowforge-pg-watchdog'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  };

  beforeAll(async () => {
    buildIfNeeded();
    // Under /tmp: as root the server runs as user postgres, which must traverse the path (the host
    // makes FLOWFORGE_HOME 0755 and hands pg/ to postgres).
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-home-sigkill-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      FLOWFORGE_HOME: home,
      FLOWFORGE_PG_PORT: String(await freePort()),
      FLOWFORGE_ORCHESTRATOR_SWEEP_MS: '200',
      LOG_LEVEL: 'warn',
      ...testAdminEnv,
    };
  }, 120_000);

  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) await stopHost(h, 30_000).catch(() => h.child.kill('SIGKILL'));
    // Whatever happened above, no server may outlive the suite.
    if (orphanPid && isAlive(orphanPid)) process.kill(orphanPid, 'SIGQUIT');
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('stops the orphaned server, comes up healthy on the same data, and the run in flight succeeds', async () => {
    const first = start();
    await waitReady(base, first, 120_000);
    const api = new PublicApi(base, first);
    api.token = await adminApiToken(base);
    expect((await api.apply(YAML)).status).toBe(200);
    const { body: created } = await api.startRun('outlives-the-host');
    await api.waitRun(created.id, (r) => stepOf(r, 'work').state === 'running', 20_000);

    const dataDir = path.join(home, 'pg');
    const lock = readPostmasterLock(dataDir);
    expect(lock).toBeDefined();
    orphanPid = lock!.pid;
    // The host's watchdog would stop the server as soon as the host dies (next test); the recovery
    // must not depend on it (no sh, or the watchdog killed along with the host), so it goes first.
    const watchdog = watchdogOf(first);
    expect(watchdog).toHaveLength(1);
    process.kill(watchdog[0]!, 'SIGKILL');
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The situation of the report: the host is gone, its PostgreSQL still runs on our data directory.
    expect(isAlive(orphanPid)).toBe(true);
    expect(lockHolder(orphanPid, dataDir)).toBe('ours');

    const second = start();
    api.host = second;
    await waitReady(base, second, 120_000);
    expect(second.stderr()).not.toContain('FF_EMBEDDED_PG_START');
    expect(second.stdout()).toContain(`FlowForge is ready on http://localhost:${env.PORT} (embedded, data in ${home})`);
    expect(isAlive(orphanPid)).toBe(false);
    expect(warnings(second).map((l) => l.msg)).toEqual(
      expect.arrayContaining(['stopping the PostgreSQL left running by a previous host', 'stopped the PostgreSQL left running by a previous host']),
    );
    // A new server holds the data directory now, with its host alive.
    const now = readPostmasterLock(dataDir);
    expect(now?.pid).not.toBe(orphanPid);
    expect(lockHolder(now!.pid, dataDir)).toBe('in-use');

    // The token and the run were kept; the step the dead host ran is re-dispatched once its lease
    // (the builtin executor's 30 s) expires, and the run ends once.
    const run = await api.waitRun(created.id, undefined, 120_000);
    expect(run.state).toBe('succeeded');
    expect(stepStates(run)).toEqual({ work: 'succeeded', after: 'succeeded' });
    const work = stepOf(run, 'work');
    expect(work.attempts.map((a) => `${a.attempt}:${a.state}`)).toEqual(['1:lost', '2:succeeded']);
    expect(work.attempts[0]).toMatchObject({ errorCode: 'FF_STEP_LEASE_EXPIRED' });
    expect(work.outputs).toEqual({ sleptMs: SLEEP_MS });

    expect(await stopHost(second, 30_000)).toBe(0);
    // A clean stop leaves no lock behind.
    expect(readPostmasterLock(dataDir)).toBeUndefined();
  }, 300_000);

  it('starts over a stale postmaster.pid whose pid is dead or belongs to another process', async () => {
    const dataDir = path.join(home, 'pg');
    const lockFile = path.join(dataDir, 'postmaster.pid');
    // Both shapes a dead host can leave: the server died too (pid free), or the pid went to another program.
    for (const [pid, holder] of [
      [2 ** 22 + 1, 'dead'], // above the default pid_max (4194304): no process has it
      [process.pid, 'foreign'], // this jest worker: alive, not a postgres
    ] as const) {
      fs.writeFileSync(lockFile, `${pid}\n${dataDir}\n1733480000\n${env.FLOWFORGE_PG_PORT}\n\n127.0.0.1\n  5433001    32768\nready   \n`);
      const host = start();
      await waitReady(base, host, 120_000);
      expect(warnings(host)).toContainEqual(expect.objectContaining({ msg: 'removed a stale postmaster.pid', pid, holder }));
      const api = new PublicApi(base, host);
      api.token = await adminApiToken(base);
      expect((await api.call('GET', '/api/v1/runs?workflow=outlives-the-host')).status).toBe(200);
      expect(await stopHost(host, 30_000)).toBe(0);
      expect(fs.existsSync(lockFile)).toBe(false);
    }
  }, 300_000);

  it('without a hand on it, the server dies with a SIGKILLed host (watchdog) and leaves no lock', async () => {
    const dataDir = path.join(home, 'pg');
    const host = start();
    await waitReady(base, host, 120_000);
    const pgPid = readPostmasterLock(dataDir)!.pid;
    expect(lockHolder(pgPid, dataDir)).toBe('in-use');
    expect(watchdogOf(host)).toHaveLength(1);
    host.child.kill('SIGKILL');
    expect(await host.exited).toEqual({ code: null, signal: 'SIGKILL' });
    orphanPid = pgPid; // afterAll's safety net, should this fail
    // Fast shutdown (SIGINT from the watchdog): a checkpoint, then PostgreSQL removes its own lock.
    const deadline = Date.now() + 20_000;
    while ((isAlive(pgPid) || readPostmasterLock(dataDir)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pgPid)).toBe(false);
    expect(readPostmasterLock(dataDir)).toBeUndefined();
  }, 180_000);

  it('a second host on the same data is refused while the first runs; a cleanly stopped host leaves no watchdog behind', async () => {
    const host = start();
    await waitReady(base, host, 120_000);
    const [watchdog] = watchdogOf(host);
    expect(watchdog).toBeGreaterThan(0);

    // The first host's server is not an orphan: the second start must not stop it.
    const second = spawnHost({ ...env, PORT: String(await freePort()) });
    hosts.push(second);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toContain(
      `FF_EMBEDDED_PG_IN_USE: PostgreSQL (pid ${readPostmasterLock(path.join(home, 'pg'))!.pid}) on ${path.join(home, 'pg')} belongs to a FlowForge host that is still running (pid ${host.child.pid})`,
    );
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    expect(await stopHost(host, 30_000)).toBe(0);
    expect(isAlive(watchdog!)).toBe(false);
    expect(readPostmasterLock(path.join(home, 'pg'))).toBeUndefined();
  }, 180_000);
});
