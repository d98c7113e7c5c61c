import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKeyring } from './master-key';
import { SecretUnreadableError } from './secret.errors';

/** One encrypted value as stored: the key id travels with it so a rotation can find the right key. */
export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  authTag: Buffer;
  ciphertext: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12; // 96 bits: GCM's native nonce size
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a fresh random IV per value. `context` (e.g. "connection/<id>/password") is bound as
 * additional authenticated data, so a ciphertext copied onto another row or field fails to decrypt
 * instead of silently becoming that field's secret.
 */
export class SecretCipher {
  constructor(private readonly keyring: MasterKeyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  seal(plaintext: string, context: string): SealedSecret {
    const { id, key } = this.keyring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: id, iv, authTag: cipher.getAuthTag(), ciphertext };
  }

  open(sealed: SealedSecret, context: string): string {
    const key = this.keyring.find(sealed.keyId);
    if (!key) {
      throw new SecretUnreadableError(
        'FF_SECRET_KEY_UNKNOWN',
        `secret ${context} was encrypted with master key ${sealed.keyId}, which this process does not hold (it has ${this.keyring.ids().join(', ')}); ` +
          'set FLOWFORGE_MASTER_KEY_PREVIOUS to the old key until the rotation has finished',
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key.key, sealed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(sealed.authTag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(
        'FF_SECRET_TAMPERED',
        `secret ${context} failed authentication under master key ${sealed.keyId}: the stored ciphertext, IV or tag was altered`,
      );
    }
  }

  /** Re-encrypts under the current key (rotation). */
  reseal(sealed: SealedSecret, context: string): SealedSecret {
    return this.seal(this.open(sealed, context), context);
  }
}
