import { Inject, Injectable } from '@nestjs/common';
import fs from 'node:fs';
import path from 'node:path';
import { FlowForgeError, LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { generateMasterKey, MasterKeyring, type MasterKey } from './master-key';
import { MASTER_KEY_FILE, NEXT_MASTER_KEY_FILE, readKeyFile, writeNewKeyFile } from './master-key.file';
import type { ResolvedKeyring } from './master-keyring.resolver';
import { reencryptAllSecrets, type RotationReport } from './secret-rotation';
import { ConnectionStore } from '../connections/connection.store';
import { withTransaction } from '@flowforge/db';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

export const RESOLVED_KEYRING = Symbol.for('flowforge.catalog.resolved-keyring');

export interface RotationResult extends RotationReport {
  previousKeyId: string;
  origin: ResolvedKeyring['origin'];
  /** What the operator still has to do, if anything. */
  next: string;
}

/**
 * Key rotation. Key file (embedded): a new key is written to master.key.next, every secret is
 * re-encrypted under it in one transaction, then it replaces master.key — the old key is gone and not
 * needed. A crash in between leaves master.key.next, which the next start reads too and the next
 * rotation reuses. Environment key (distributed): the new key is already FLOWFORGE_MASTER_KEY (old ones in
 * FLOWFORGE_MASTER_KEY_PREVIOUS); this re-encrypts what is still under old keys, after which
 * FLOWFORGE_MASTER_KEY_PREVIOUS can be removed.
 */
@Injectable()
export class SecretRotationService {
  private running = false;

  constructor(
    @Inject(RESOLVED_KEYRING) private readonly resolved: ResolvedKeyring,
    private readonly keyring: MasterKeyring,
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly connections: ConnectionStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  async rotate(): Promise<RotationResult> {
    if (this.running) throw new FlowForgeError('FF_SECRET_ROTATION_RUNNING', 409, 'Conflict', 'a key rotation is already running in this process');
    this.running = true;
    try {
      return this.resolved.origin === 'key-file' ? await this.rotateKeyFile(this.resolved.file!) : await this.finishEnvironmentRotation();
    } finally {
      this.running = false;
    }
  }

  private async rotateKeyFile(file: string): Promise<RotationResult> {
    const nextFile = path.join(path.dirname(file), NEXT_MASTER_KEY_FILE);
    const next = writeNewKeyFile(nextFile, generateMasterKey()) ?? readKeyFile(nextFile);
    const previous = this.keyring.current;
    const report = await this.reencrypt(next);
    // Only now does master.key change: rename is atomic, the directory entry is flushed after.
    fs.renameSync(nextFile, file);
    syncDirectory(path.dirname(file));
    this.logger.info({ module: 'catalog', keyId: next.id, previousKeyId: previous.id, total: report.total }, 'master key rotated');
    return { ...report, previousKeyId: previous.id, origin: 'key-file', next: `done: ${MASTER_KEY_FILE} holds the new key; the old key is no longer needed` };
  }

  private async finishEnvironmentRotation(): Promise<RotationResult> {
    const current = this.keyring.current;
    const report = await this.reencrypt(current);
    const previousIds = Object.keys(report.rotatedFrom).filter((id) => id !== current.id);
    this.logger.info({ module: 'catalog', keyId: current.id, rotatedFrom: report.rotatedFrom }, 'secrets re-encrypted under FLOWFORGE_MASTER_KEY');
    return {
      ...report,
      previousKeyId: previousIds[0] ?? current.id,
      origin: 'environment',
      next: 'done: every secret is under FLOWFORGE_MASTER_KEY; remove FLOWFORGE_MASTER_KEY_PREVIOUS from every catalog replica',
    };
  }

  /** Writers wait on the rotation's lock; the in-memory key switches before COMMIT so they resume with the new key. */
  private async reencrypt(target: MasterKey): Promise<RotationReport> {
    const previous = this.keyring.current;
    this.keyring.add(target);
    try {
      return await withTransaction(this.pool, async (tx) => {
        const report = await reencryptAllSecrets(tx, this.connections, this.keyring, target);
        this.keyring.use(target);
        return report;
      });
    } catch (err) {
      this.keyring.use(previous);
      throw err;
    }
  }
}

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
