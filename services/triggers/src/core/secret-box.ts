import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FlowForgeError } from '@flowforge/service-kit';

/** One sealed value as `triggers.secrets` stores it (base64 fields). */
export interface SealedValue {
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

export const TRIGGERS_KEY_FILE = 'triggers.key';

/**
 * AES-256-GCM for the secrets a trigger holds (a webhook's HMAC secret, a broker password), the way the
 * catalog seals connection secrets (services/catalog/src/secrets/secret-cipher.ts): a fresh IV per value
 * and the trigger id + field bound as additional data, so a value copied onto another trigger does not open.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    this.keyId = createHash('sha256').update('flowforge-triggers-key\0').update(key).digest('hex').slice(0, 16);
  }

  /** The key from FLOWFORGE_TRIGGERS_SECRET_KEY, else $FLOWFORGE_HOME/triggers.key (created 0600 when missing). */
  static load(configured: string, home: string): SecretBox {
    if (configured) return new SecretBox(Buffer.from(configured, 'base64'));
    const file = path.resolve(home, TRIGGERS_KEY_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`FF_CONFIG: ${file} must hold the base64 encoding of 32 bytes (it decodes to ${key.length})`);
    return new SecretBox(key);
  }

  seal(plaintext: string, context: string): SealedValue {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.keyId, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  open(sealed: SealedValue, context: string): string {
    if (sealed.keyId !== this.keyId) {
      throw new FlowForgeError(
        'FF_TRIGGER_SECRET_KEY_UNKNOWN',
        500,
        'Internal error',
        `secret ${context} was sealed with triggers key ${sealed.keyId}, this process holds ${this.keyId}: set FLOWFORGE_TRIGGERS_SECRET_KEY to the same value on every replica`,
      );
    }
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'), { authTagLength: 16 });
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(sealed.data, 'base64')), d.final()]).toString('utf8');
    } catch {
      throw new FlowForgeError('FF_TRIGGER_SECRET_TAMPERED', 500, 'Internal error', `secret ${context} failed authentication: the stored value was altered`);
    }
  }
}
