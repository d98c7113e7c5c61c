import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@flowforge/service-kit';
import { encodeMasterKey, generateMasterKey, masterKeyProblem, parseMasterKey, type MasterKey } from './master-key';

export const MASTER_KEY_FILE = 'master.key';
/** Written before a rotation re-encrypts anything; renamed over master.key once the rotation committed. */
export const NEXT_MASTER_KEY_FILE = 'master.key.next';

function refuse(message: string): never {
  throw new ConfigError([`FF_CONFIG: ${message}`]);
}

/** Anyone but the owner able to read the key file can read every stored secret: refused, naming the file. */
function assertPrivate(file: string): void {
  if (process.platform === 'win32') return; // no POSIX modes; NTFS ACLs are the operator's business
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    refuse(
      `master key file ${file} is readable or writable by group or others (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `run \`chmod 600 ${file}\` (or set FLOWFORGE_MASTER_KEY instead)`,
    );
  }
}

/** Reads a key file, refusing one with loose permissions or content that is not a key. */
export function readKeyFile(file: string): MasterKey {
  assertPrivate(file);
  const text = fs.readFileSync(file, 'utf8').trim();
  const problem = masterKeyProblem(`master key file ${file}`, text);
  if (problem) refuse(problem);
  return parseMasterKey(file, text);
}

/** Writes a new key with mode 0600 (exclusive create); null when the file already exists. */
export function writeNewKeyFile(file: string, key: MasterKey): MasterKey | null {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
  try {
    fs.writeSync(fd, `${encodeMasterKey(key)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return key;
}

export interface KeyFileState {
  key: MasterKey;
  created: boolean;
  /** A rotation wrote master.key.next but did not finish: that key may already protect some secrets. */
  next?: MasterKey;
}

/**
 * Embedded mode: `<home>/master.key`, generated on first start and reused afterwards. Two processes
 * starting at once both end up with the file the first one created (exclusive create, then read).
 */
export function loadOrCreateKeyFile(home: string): KeyFileState {
  const file = path.join(path.resolve(home), MASTER_KEY_FILE);
  let created = false;
  if (!fs.existsSync(file)) created = writeNewKeyFile(file, generateMasterKey()) !== null;
  const key = readKeyFile(file);
  const nextFile = path.join(path.dirname(file), NEXT_MASTER_KEY_FILE);
  const next = fs.existsSync(nextFile) ? readKeyFile(nextFile) : undefined;
  return { key, created, next };
}
