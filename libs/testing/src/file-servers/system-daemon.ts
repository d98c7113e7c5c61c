import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackUnavailableError } from '../stack.discovery';

const run = promisify(execFile);

/** Where Debian/Ubuntu packages put the daemons and tools the file-server tests start. */
const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** The absolute path of `binary` in the usual system folders, or null. */
export function findBinary(binary: string): string | null {
  for (const dir of SEARCH_DIRS) {
    const p = path.join(dir, binary);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Decides whether a suite that starts real system daemons (sshd, vsftpd, smbd) runs, the way requireStack
 * does for the shared stack: true when every binary is installed and this process is root (the daemons
 * need it to log users in, and the tests create a system user per server); otherwise FLOWFORGE_REQUIRE_STACK=1
 * makes it a failure, else a loud warning and false (the caller skips). `.ci/run` installs the packages.
 */
export function requireServerBinaries(tier: string, binaries: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const missing = binaries.filter((b) => findBinary(b) === null);
  const reasons = [
    ...(missing.length > 0 ? [`${missing.join(', ')} not installed (apt-get install openssh-server vsftpd samba smbclient)`] : []),
    ...(process.getuid?.() !== 0 ? ['the test process is not root (the daemons log users in and the test creates a system user)'] : []),
  ];
  if (reasons.length === 0) return true;
  const message = `FF_TEST_STACK_MISSING: ${tier} needs ${reasons.join('; ')}; FLOWFORGE_REQUIRE_STACK=1 makes this a failure instead of a skip`;
  if (env.FLOWFORGE_REQUIRE_STACK === '1') throw Object.assign(new StackUnavailableError(tier, []), { message });
  process.stderr.write(`\n⚠ SKIPPING ${tier}: ${message}\n\n`);
  return false;
}

/** A free TCP port on 127.0.0.1 (free when asked: the daemon binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports (an FTP server's passive range). */
export async function freePortRange(count: number): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return [base, base + count - 1];
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** A temporary folder the daemon's users can traverse (mkdtemp makes it 0700). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A random password: letters and digits, so no tool's quoting is involved. */
export function randomPassword(): string {
  return `Ff${randomBytes(12).toString('hex')}`;
}

export interface TestSystemUser {
  name: string;
  password: string;
  uid: number;
  gid: number;
  remove(): Promise<void>;
}

async function retryLocked<T>(what: string, fn: () => Promise<T>): Promise<T> {
  // useradd/userdel lock /etc/passwd; suites starting servers at the same time may meet there.
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message);
      if (attempt < 20 && /lock|try again/i.test(stderr)) {
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        continue;
      }
      throw new Error(`${what} failed: ${stderr.trim()}`);
    }
  }
}

/**
 * A system user of its own for one test server (`ff-<kind>-<random>`, its own group, no home created,
 * the given shell), with a random password set through chpasswd: each server gets its own user, so suites
 * running at the same time never change each other's passwords. `remove()` deletes user and group.
 */
export async function createTestUser(kind: string, home: string, shell = '/usr/sbin/nologin'): Promise<TestSystemUser> {
  await removeStaleTestUsers();
  const name = `ff-${kind}-${randomBytes(4).toString('hex')}`;
  const password = randomPassword();
  await retryLocked('useradd', () => run('useradd', ['-M', '-d', home, '-s', shell, '-c', TEST_USER_COMMENT, name]));
  const setPassword = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  setPassword.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  setPassword.stdin.end(`${name}:${password}\n`);
  const code = await new Promise<number | null>((resolve) => setPassword.on('close', resolve));
  if (code !== 0) throw new Error(`chpasswd failed: ${stderr.trim()}`);
  const ids = { uid: Number((await run('id', ['-u', name])).stdout.trim()), gid: Number((await run('id', ['-g', name])).stdout.trim()) };
  return {
    name,
    password,
    ...ids,
    // -f: a session process of the daemon may outlive its listener for a moment, and plain userdel refuses a user in use.
    remove: () => retryLocked('userdel', () => run('userdel', ['-f', name])).then(() => undefined),
  };
}

const TEST_USER_COMMENT = 'FlowForge test server user';

/**
 * Users of servers whose test process died before stop(): their home (the server's temporary folder) is
 * gone. Only users this module created match (name pattern and comment); a live server's home exists.
 */
async function removeStaleTestUsers(): Promise<void> {
  let passwd: string;
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return;
  }
  for (const line of passwd.split('\n')) {
    const [name, , , , comment, home] = line.split(':');
    if (!name || !/^ff-(sftp|ftp|smb)-[0-9a-f]{8}$/.test(name) || comment !== TEST_USER_COMMENT || !home || fs.existsSync(home)) continue;
    await run('userdel', ['-f', name]).catch(() => undefined);
  }
}

/** Writes `data` at `rel` under `root` (folders created), all of it owned by `user` so the daemon's session may change it. */
export function writeOwned(root: string, rel: string, data: string | Buffer, user: { uid: number; gid: number }): string {
  const abs = path.join(root, rel);
  const parts = rel.split('/').slice(0, -1);
  let dir = root;
  for (const part of parts) {
    dir = path.join(dir, part);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir);
      fs.chownSync(dir, user.uid, user.gid);
    }
  }
  fs.writeFileSync(abs, data);
  fs.chownSync(abs, user.uid, user.gid);
  return abs;
}

export interface Daemon {
  child: ChildProcess;
  /** What the daemon printed so far (it logs to stderr/stdout in the foreground). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a daemon in the foreground and resolves once 127.0.0.1:`port` accepts connections; rejects with
 * its output when it exits first or does not listen within 15 s. The daemon leads a process group of its
 * own: smbd ends by signalling its whole group (kill(0, SIGTERM)), which would otherwise be jest's; stop()
 * signals that group, so the daemon's helper processes end with it.
 */
export async function startDaemon(binary: string, args: string[], port: number, what: string): Promise<Daemon> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  child.once('error', (err) => {
    out += `\n${err.message}`;
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`${what} exited (${JSON.stringify(exited)}) before listening on 127.0.0.1:${port}:\n${out}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      signalGroup('SIGKILL');
      throw new Error(`${what} did not listen on 127.0.0.1:${port} within 15 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    output: () => out,
    stop: async () => {
      if (exited) return signalGroup('SIGKILL'); // helpers the daemon may have left behind
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export { run as execFileAsync };
