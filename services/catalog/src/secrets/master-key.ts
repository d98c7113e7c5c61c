import { createHash, randomBytes } from 'node:crypto';

export const MASTER_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A 256-bit key and its id: the id is stored beside every ciphertext so the right key can be picked after a rotation. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The reason `value` is not a usable key, naming `variable`; null when it is one. Never echoes the value. */
export function masterKeyProblem(variable: string, value: string): string | null {
  const trimmed = value.trim();
  if (!BASE64.test(trimmed) || trimmed.length % 4 !== 0) {
    return `${variable} must be the base64 encoding of ${MASTER_KEY_BYTES} random bytes, e.g. from \`openssl rand -base64 32\` (the value is not base64; not shown because the variable is sensitive)`;
  }
  const bytes = Buffer.from(trimmed, 'base64').length;
  if (bytes !== MASTER_KEY_BYTES) {
    return `${variable} must be the base64 encoding of ${MASTER_KEY_BYTES} random bytes, e.g. from \`openssl rand -base64 32\` (it decodes to ${bytes} bytes)`;
  }
  return null;
}

/**
 * The key id is a fingerprint (first 16 hex digits of SHA-256 over a label and the key): stable for a
 * key, different between keys, and useless for recovering the key.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('flowforge-master-key\0').update(key).digest('hex').slice(0, 16);
}

/** Parses a base64 key already checked by masterKeyProblem. */
export function parseMasterKey(variable: string, value: string): MasterKey {
  const problem = masterKeyProblem(variable, value);
  if (problem) throw new Error(`FF_CONFIG: ${problem}`);
  const key = Buffer.from(value.trim(), 'base64');
  return { id: masterKeyId(key), key };
}

export function generateMasterKey(): MasterKey {
  const key = randomBytes(MASTER_KEY_BYTES);
  return { id: masterKeyId(key), key };
}

export function encodeMasterKey(key: MasterKey): string {
  return key.key.toString('base64');
}

/**
 * The keys a process holds: `current` encrypts; every key (current, previous ones kept for a rotation
 * in progress, and the one being rotated to) decrypts, picked by the id stored with the ciphertext.
 */
export class MasterKeyring {
  private readonly byId = new Map<string, MasterKey>();
  private active: MasterKey;

  constructor(current: MasterKey, previous: readonly MasterKey[] = []) {
    this.active = current;
    for (const k of [current, ...previous]) this.byId.set(k.id, k);
  }

  get current(): MasterKey {
    return this.active;
  }

  find(id: string): MasterKey | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** `key` decrypts from now on (it does not encrypt yet). */
  add(key: MasterKey): void {
    this.byId.set(key.id, key);
  }

  /** Makes `key` the encrypting key; the previous one still decrypts until the process ends. */
  use(key: MasterKey): void {
    this.add(key);
    this.active = key;
  }
}
