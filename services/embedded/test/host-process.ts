import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { generateInternalToken } from '@flowforge/service-kit';

export const repoRoot = path.resolve(__dirname, '../../..');
const MAIN = path.join(repoRoot, 'dist/services/embedded/src/main.js');

/** Builds dist/ when it is missing or older than a source (the same rule as `npm start`). */
export function buildIfNeeded(): void {
  execFileSync(process.execPath, ['-e', "require('./scripts/start').buildIfNeeded()"], { cwd: repoRoot, stdio: 'inherit' });
}

/** The dist entry point of one service (`dist/services/<name>/src/main.js`) for spawnHost. */
export const serviceMain = (service: string): string => path.join(repoRoot, `dist/services/${service}/src/main.js`);

/**
 * What every process of a distributed-mode test shares: its database, the stack's Kafka broker and
 * Confluent-compatible registry (FLOWFORGE_BUS=kafka), and one internal token.
 */
export function distributedEnv(db: { url: string }, stack: { kafkaBrokers?: string[]; schemaRegistryUrl?: string } | null): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    FLOWFORGE_BUS: 'kafka',
    FLOWFORGE_KAFKA_BROKERS: (stack?.kafkaBrokers ?? []).join(','),
    FLOWFORGE_SCHEMA_REGISTRY_URL: stack?.schemaRegistryUrl ?? '',
    FLOWFORGE_INTERNAL_TOKEN: generateInternalToken(),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface HostProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the embedded host, or one service alone when `main` names its dist entry point. */
export function spawnHost(env: Record<string, string>, main = MAIN): HostProcess {
  let out = '';
  let err = '';
  const base = { ...process.env };
  delete base.DATABASE_URL; // only what the test passes
  const child = spawn(process.execPath, [main], { cwd: repoRoot, env: { ...base, LOG_LEVEL: 'warn', ...env }, stdio: 'pipe' });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, host?: HostProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (host && host.child.exitCode !== null) {
      throw new Error(`host exited (${host.child.exitCode}) while waiting for ${what}\nstdout:\n${host.stdout()}\nstderr:\n${host.stderr()}`);
    }
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}\nstdout:\n${host?.stdout()}\nstderr:\n${host?.stderr()}`);
}

export async function waitReady(base: string, host: HostProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor('/health/ready 200', async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined), timeoutMs, host);
}

export async function stopHost(host: HostProcess, timeoutMs = 10_000): Promise<number | null> {
  host.child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const result = await Promise.race([host.exited, timeout]);
  clearTimeout(timer); // else jest waits for it after the last test
  if (result === 'timeout') {
    host.child.kill('SIGKILL');
    throw new Error(`host did not exit within ${timeoutMs} ms of SIGINT\nstderr:\n${host.stderr()}`);
  }
  return result.code;
}
