import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testAdminEnv, type TestDatabase } from '@flowforge/testing';
import { isAlive } from '../src/postmaster-lock.recovery';
import { buildIfNeeded, freePort, repoRoot, spawnHost, stopHost, waitFor, waitReady, type HostProcess } from './host-process';

const INJECTOR = path.join(repoRoot, 'dist/services/embedded/test/fixtures/fault-injector.js');
const LINEAGE_MAIN = path.join(repoRoot, 'dist/services/lineage/src/main.js');
const LAUNCHER = path.join(repoRoot, 'dist/services/embedded/test/fixtures/launcher.js');
const EARLY_FAULT = path.join(repoRoot, 'dist/services/embedded/test/fixtures/early-fault.js');

interface LogLine {
  level: string;
  msg: string;
  service: string;
  code?: string;
  signal?: string;
  launcherPid?: string;
  err?: { message: string; stack: string };
}

const logLines = (host: HostProcess): LogLine[] =>
  host
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

/**
 * The process-level handler of runProcess (libs/service-kit/src/bootstrap/process-runner.ts), in real
 * processes: a preloaded fixture produces an error no code catches once the process serves.
 */
describe('errors nothing caught (runProcess)', () => {
  let db: TestDatabase;
  let home: string;
  const hosts: HostProcess[] = [];

  beforeAll(async () => {
    buildIfNeeded();
    db = await createTestDatabase('ff_e2e_faults');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-home-faults-'));
  }, 120_000);

  afterAll(async () => {
    for (const h of hosts) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>, main?: string) => {
    const port = await freePort();
    const host = spawnHost(
      { DATABASE_URL: db.url, PORT: String(port), FLOWFORGE_HOME: home, LOG_LEVEL: 'info', NODE_OPTIONS: `--require ${INJECTOR}`, ...env },
      main,
    );
    hosts.push(host);
    return { host, base: `http://127.0.0.1:${port}` };
  };

  it('a standalone service logs an unhandled rejection with its stack and keeps serving', async () => {
    const marker = `reject-${Date.now()}`;
    const { host, base } = await start({ FAULTS: 'reject,reject', FAULT_MARKER: marker }, LINEAGE_MAIN);
    await waitReady(base, host, 90_000);
    const logged = await waitFor(
      'two FF_UNHANDLED_REJECTION lines',
      async () => {
        const lines = logLines(host).filter((l) => l.code === 'FF_UNHANDLED_REJECTION');
        return lines.length === 2 ? lines : undefined;
      },
      15_000,
      host,
    );
    for (const line of logged) {
      expect(line).toMatchObject({ level: 'error', service: 'lineage', msg: 'unhandled promise rejection; the process keeps serving' });
      expect(line.err!.message).toBe(`${marker}: rejection nobody handles`);
      // The stack points at the code that rejected, so the line is enough to find the bug.
      expect(line.err!.stack).toContain('fault-injector.js');
    }
    // Still serving: liveness, readiness (database and bus) and the counter of what happened.
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/ff_process_unexpected_errors_total\{[^}]*kind="unhandled_rejection"[^}]*\} 2/);
    expect(host.child.exitCode).toBeNull();
    expect(await stopHost(host)).toBe(0);
  }, 120_000);

  it('the embedded host logs an uncaught exception, shuts down gracefully and exits 70', async () => {
    const marker = `throw-${Date.now()}`;
    const { host } = await start({ FAULTS: 'throw', FAULT_MARKER: marker, ...testAdminEnv });
    // The injector throws as soon as the host answers ready, which may be before a poll of ours sees it:
    // wait for the exit, then check from the log that the host was ready first.
    const { code, signal } = await waitFor(
      'the host to exit',
      async () => (host.child.exitCode !== null || host.child.signalCode !== null ? host.exited : undefined),
      120_000,
    );
    expect({ code, signal }).toEqual({ code: 70, signal: null });
    const lines = logLines(host);
    const fatal = lines.filter((l) => l.code === 'FF_UNCAUGHT_EXCEPTION');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: 'fatal', service: 'embedded', msg: 'uncaught exception; stopping the process' });
    expect(fatal[0]!.err!.message).toBe(`${marker}: exception thrown in a timer`);
    expect(fatal[0]!.err!.stack).toContain('fault-injector.js');
    // The graceful stop ran to its end after the fatal line (HTTP, bus, DataSources closed), not a crash.
    const msgs = lines.map((l) => l.msg);
    const at = msgs.indexOf('uncaught exception; stopping the process');
    expect(msgs.indexOf('ready')).toBeGreaterThanOrEqual(0);
    expect(msgs.indexOf('ready')).toBeLessThan(at);
    expect(msgs.indexOf('shutting down', at)).toBeGreaterThan(at);
    expect(lines.find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'uncaughtException' });
    expect(msgs.indexOf('stopped', at)).toBeGreaterThan(msgs.indexOf('shutting down', at));
    expect(host.stderr()).not.toContain('FF_SHUTDOWN');
  }, 180_000);

  it('a host whose launcher (scripts/start.js) is SIGKILLed stops itself gracefully', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // The host inherits the launcher's stdout and stderr: they stay readable here after the launcher dies.
    const launcher = spawnHost({ DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'info', LAUNCH_ENTRY: 'dist/services/lineage/src/main.js' }, LAUNCHER);
    hosts.push(launcher);
    await waitReady(base, launcher, 90_000);
    const [hostPid] = execFileSync('pgrep', ['-P', String(launcher.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    expect(hostPid).toBeGreaterThan(0);
    try {
      launcher.child.kill('SIGKILL');
      expect(await launcher.exited).toEqual({ code: null, signal: 'SIGKILL' });

      await waitFor('the orphaned host to stop', async () => (isAlive(hostPid!) ? undefined : true), 20_000);
      const lines = logLines(launcher);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          service: 'lineage',
          msg: 'the launcher (npm start, npm run serve) is gone; stopping',
          launcherPid: String(launcher.child.pid),
        }),
      );
      expect(lines).toContainEqual(expect.objectContaining({ msg: 'shutting down', signal: 'launcher-exited' }));
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    } finally {
      if (isAlive(hostPid!)) process.kill(hostPid!, 'SIGKILL'); // never leave it behind
    }
  }, 120_000);

  it('an uncaught exception while starting, before any logger: stack on stderr, start finishes, its work is stopped, exit 70', async () => {
    const host = spawnHost({}, EARLY_FAULT);
    hosts.push(host);
    expect(await host.exited).toEqual({ code: 70, signal: null });
    expect(host.stderr()).toMatch(
      /^FF_UNCAUGHT_EXCEPTION: uncaught exception; stopping the process: Error: early-fault: thrown while starting\n\s+at .*early-fault\.js/m,
    );
    // What start had set up is not abandoned: start finished, then the stop ran with the reason.
    expect(host.stdout()).toBe('started\nstopped (uncaughtException)\n');
  }, 30_000);
});
