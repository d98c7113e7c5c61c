import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliFailure } from '../cli.errors';

/** What `flowforge login` keeps for one server: a session's token pair and when each part expires. */
export interface StoredCredentials {
  username: string;
  userId: string;
  sessionId: string;
  accessToken: string;
  /** ISO 8601; refreshed a little before, so a call never leaves with a token about to lapse. */
  accessExpiresAt: string;
  /** Single use: every refresh returns a new one, which replaces it here. */
  refreshToken: string;
  refreshExpiresAt: string;
  savedAt: string;
}

/** Keyed by the gateway URL as normalised by the client (`http://127.0.0.1:8080`, no trailing slash). */
export type ServerCredentials = Record<string, StoredCredentials>;

interface CredentialsFile {
  version: 1;
  servers: ServerCredentials;
}

export const CREDENTIALS_FILE = 'credentials.json';
/** A lock older than this belongs to a process that died holding it. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 25;

/**
 * `credentials.json` in `$FLOWFORGE_CONFIG_DIR`, else `~/.flowforge`: the file is 0600 in a 0700
 * directory (created so), and replaced whole (temp file + rename), so a reader sees the old pair or
 * the new one, never half of each — refresh tokens are single use, and losing the new one would end
 * the sign-in. Read-modify-write happens under a lock file, so two commands refreshing at once do not
 * both spend the same refresh token (the server would take the second use for a stolen copy and end
 * the session).
 */
export class CredentialStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, CREDENTIALS_FILE);
  }

  static fromEnv(env: Readonly<Record<string, string | undefined>>): CredentialStore {
    return new CredentialStore(env.FLOWFORGE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.flowforge'));
  }

  /** The stored sign-in for `server`, if any (no lock: the file is only ever replaced whole). */
  read(server: string): StoredCredentials | undefined {
    return this.readAll()[server];
  }

  async save(server: string, credentials: StoredCredentials): Promise<void> {
    await this.transaction((servers) => {
      servers[server] = credentials;
    });
  }

  /** True when there was something to delete. */
  async remove(server: string): Promise<boolean> {
    return this.transaction((servers) => {
      if (!(server in servers)) return false;
      delete servers[server];
      return true;
    });
  }

  /**
   * Runs `fn` on every server's credentials under the lock and writes them back (atomically) when it
   * changed them. `fn` may await (a refresh round trip) while holding the lock.
   */
  async transaction<T>(fn: (servers: ServerCredentials) => T | Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      const servers = this.readAll();
      const before = JSON.stringify(servers);
      const result = await fn(servers);
      if (JSON.stringify(servers) !== before) this.writeAll(servers);
      return result;
    } finally {
      release();
    }
  }

  private readAll(): ServerCredentials {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new CliFailure(`cannot read ${this.file}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliFailure(`${this.file} is not valid JSON (FF_CLI_CREDENTIALS_UNREADABLE); delete it and run \`flowforge login\` again`);
    }
    const servers = (parsed as Partial<CredentialsFile> | null)?.servers;
    if (!servers || typeof servers !== 'object') {
      throw new CliFailure(`${this.file} is not a FlowForge credentials file (FF_CLI_CREDENTIALS_UNREADABLE); delete it and run \`flowforge login\` again`);
    }
    // Keep only complete entries: a hand-edited one would otherwise fail later with a confusing 401.
    return Object.fromEntries(Object.entries(servers).filter(([, c]) => isCredentials(c))) as ServerCredentials;
  }

  private writeAll(servers: ServerCredentials): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const body: CredentialsFile = { version: 1, servers };
    const temp = path.join(this.dir, `.${CREDENTIALS_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const fd = fs.openSync(temp, 'wx', 0o600);
      try {
        fs.fchmodSync(fd, 0o600); // whatever the umask
        fs.writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.file);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw new CliFailure(`cannot write ${this.file}: ${(err as Error).message}`);
    }
  }

  /** An exclusive lock file beside the credentials; resolves with its release. */
  private async lock(): Promise<() => void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const lockFile = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        fs.closeSync(fs.openSync(lockFile, 'wx', 0o600));
        return () => fs.rmSync(lockFile, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new CliFailure(`cannot lock ${this.file}: ${(err as Error).message}`);
      }
      const age = lockAge(lockFile);
      if (age !== undefined && age > STALE_LOCK_MS) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new CliFailure(
          `${lockFile} has been held for ${Math.round((age ?? 0) / 1000)} s by another flowforge command (FF_CLI_CREDENTIALS_LOCKED); retry, or delete it if no command is running`,
        );
      }
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
}

function lockAge(lockFile: string): number | undefined {
  try {
    return Date.now() - fs.statSync(lockFile).mtimeMs;
  } catch {
    return undefined; // released meanwhile
  }
}

function isCredentials(value: unknown): value is StoredCredentials {
  if (!value || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  return ['username', 'accessToken', 'accessExpiresAt', 'refreshToken', 'refreshExpiresAt'].every((k) => typeof c[k] === 'string');
}
