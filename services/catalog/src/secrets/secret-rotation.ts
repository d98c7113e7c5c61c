import type { Queryable } from '@flowforge/db';
import { secretContext, type ConnectionStore } from '../connections/connection.store';
import { MasterKeyring, type MasterKey } from './master-key';
import { SecretCipher } from './secret-cipher';

/**
 * Advisory lock between secret writers (shared) and a rotation (exclusive): a connection saved while a
 * rotation runs waits for it, then encrypts under the new key, so no row is left under a retired key.
 */
const SECRETS_LOCK = 'ff_catalog.connection_secrets';

export async function lockSecretsForWrite(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [SECRETS_LOCK]);
}

export interface RotationReport {
  keyId: string;
  /** Secrets re-encrypted, by the key id they were under before. */
  rotatedFrom: Record<string, number>;
  total: number;
}

/**
 * Re-encrypts every stored secret under `target` inside the caller's transaction `tx` (all or
 * nothing). `keyring` must hold every key the rows are under (target included when some rows already
 * use it); those get fresh IVs too, so afterwards the whole table depends on `target` alone.
 */
export async function reencryptAllSecrets(tx: Queryable, connections: ConnectionStore, keyring: MasterKeyring, target: MasterKey): Promise<RotationReport> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SECRETS_LOCK]);
  const reader = new SecretCipher(keyring);
  const writer = new SecretCipher(new MasterKeyring(target));
  const rotatedFrom: Record<string, number> = {};
  const rows = await connections.lockAllSecrets(tx);
  for (const row of rows) {
    const context = secretContext(row.connectionId, row.field);
    const sealed = writer.seal(reader.open(row, context), context);
    await connections.rewriteSecret(tx, { ...row, ...sealed });
    rotatedFrom[row.keyId] = (rotatedFrom[row.keyId] ?? 0) + 1;
  }
  return { keyId: target.id, rotatedFrom, total: rows.length };
}
