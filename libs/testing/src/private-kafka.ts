import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const STACK_SCRIPT = path.join(ROOT, 'scripts/stack/stack');

/**
 * A Kafka broker of its own for fault tests, which kill and restart it: the shared broker of
 * `scripts/stack` serves every other suite running at the same time and must never be touched. It is
 * the same KRaft broker as the stack's (same jars, same script, same config) on free loopback ports,
 * with its own data under a temporary stack directory; only the downloaded jars are shared.
 */
export class PrivateKafka {
  private constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly brokers: string[],
  ) {}

  /** Needs the jars `scripts/stack/stack up kafka` downloaded (`.stack/lib`); the caller checks the stack first. */
  static async start(): Promise<PrivateKafka> {
    const sharedLib = path.join(process.env.FLOWFORGE_STACK_DIR ?? path.join(ROOT, '.stack'), 'lib');
    if (!existsSync(sharedLib)) {
      throw new Error(`PrivateKafka: no Kafka jars at ${sharedLib}; run scripts/stack/stack up kafka once to download them`);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ff-private-kafka-'));
    symlinkSync(sharedLib, path.join(dir, 'lib'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      FLOWFORGE_STACK_DIR: dir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      // 256m ran out at start (the log cleaner's buffer) on a busy CI run.
      KAFKA_HEAP: '384m',
    };
    const kafka = new PrivateKafka(dir, env, [`127.0.0.1:${port}`]);
    await kafka.up();
    return kafka;
  }

  /** The broker's process id (a JVM started by the stack script). */
  get pid(): number {
    return Number(readFileSync(path.join(this.dir, 'run/kafka.pid'), 'utf8').trim());
  }

  /** SIGKILL: no shutdown hook, no controlled leadership handover — a crash. */
  kill(): number {
    const pid = this.pid;
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** Starts the broker again on the same data and ports; resolves once it answers metadata requests. */
  restart(): Promise<void> {
    return this.up();
  }

  async stop(): Promise<void> {
    await run(STACK_SCRIPT, ['down', 'kafka'], { env: this.env }).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async up(): Promise<void> {
    try {
      await run(STACK_SCRIPT, ['up', 'kafka'], { env: this.env, timeout: 180_000 });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`PrivateKafka: scripts/stack/stack up kafka failed (${this.dir}):\n${stderr.slice(-3000)}`);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
