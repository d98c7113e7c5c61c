import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface S3rverHandle {
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver's fixed development credentials. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

// Runs inside the child. s3rver signs ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// only offers through its legacy provider — hence a child process started with that flag, rather
// than loosening crypto for the whole test process.
const CHILD_SCRIPT = `
const S3rver = require('s3rver');
const [directory, bucket, silent] = process.argv.slice(1);
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: silent === '1', configureBuckets: [{ name: bucket }] });
server.run().then((addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'), (err) => { console.error(err); process.exit(1); });
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
`;

/**
 * Starts a real S3-compatible HTTP server (s3rver, a devDependency) on 127.0.0.1 with an OS-chosen
 * port and a throw-away directory, with `bucket` created. Clients need path-style addressing.
 * Set FF_S3RVER_LOG=<file> to keep s3rver's request log when debugging.
 */
export async function startS3rver(bucket = 'flowforge-test'): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 'ff-s3rver-'));
  const logFile = process.env.FF_S3RVER_LOG;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, directory, bucket, logFile ? '0' : '1'], {
    cwd: process.cwd(), // resolves s3rver from the workspace's node_modules
    stdio: ['ignore', 'pipe', logFile ? 'pipe' : 'inherit'],
  });
  if (logFile) {
    const sink = createWriteStream(logFile, { flags: 'a' });
    child.stderr?.pipe(sink);
  }
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`s3rver exited early with code ${code}`)));
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { port?: number };
        if (msg.port) {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        // s3rver log lines: ignored
      }
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw err;
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      lines.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
