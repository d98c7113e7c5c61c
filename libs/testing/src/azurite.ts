import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** Azurite's development account: public, documented, the same on every machine (never a real secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  /** The blob service URL, path-style: `http://127.0.0.1:<port>/devstoreaccount1`. */
  blobEndpoint: string;
  account: string;
  accountKey: string;
  /** A connection string naming this server's BlobEndpoint. */
  connectionString: string;
  stop(): Promise<void>;
}

/** The azurite-blob binary of the workspace (a devDependency), or null when it is not installed. */
export function azuriteBinary(): string | null {
  const bin = path.join(ROOT, 'node_modules', '.bin', 'azurite-blob');
  return existsSync(bin) ? bin : null;
}

/**
 * Whether a suite needing Azurite runs: true when the binary is installed; otherwise a failure under
 * FLOWFORGE_REQUIRE_STACK=1 (CI), else a loud skip (like requireStack for the stack's servers).
 */
export function requireAzurite(tier: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (azuriteBinary()) return true;
  const message = `FF_TEST_STACK_MISSING: ${tier} needs Azurite (node_modules/.bin/azurite-blob; it is a devDependency: npm ci)`;
  if (env.FLOWFORGE_REQUIRE_STACK === '1') throw new Error(message);
  process.stderr.write(`\n⚠ SKIPPING ${tier}: ${message}\n\n`);
  return false;
}

/**
 * A real Azure Blob Storage emulator (Azurite's blob service) on 127.0.0.1 at a free port, its data in a
 * temporary folder removed by stop(). API version checks are skipped: the SDK may be newer than the emulator.
 */
export async function startAzurite(): Promise<AzuriteHandle> {
  const bin = azuriteBinary();
  if (!bin) throw new Error('startAzurite: node_modules/.bin/azurite-blob is not installed');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ff-azurite-'));
  let child: ChildProcess | undefined;
  let port = 0;
  // A port taken between freePort() and Azurite's listen() (another suite) is retried with another.
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    const proc = spawn(
      bin,
      ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--silent', '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const started = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/successfully listens/i.test(output)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (started) child = proc;
    else {
      proc.kill('SIGKILL');
      if (attempt === 2) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`startAzurite: azurite-blob did not start on 127.0.0.1:${port}:\n${output.slice(-2000)}`);
      }
    }
  }
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    account: AZURITE_ACCOUNT,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    stop: async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
