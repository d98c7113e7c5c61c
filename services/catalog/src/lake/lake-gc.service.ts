import { Inject, Injectable } from '@nestjs/common';
import { parseDataKey, tableRoot, type LakeTableRef } from '@flowforge/engine';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import type { ObjectStore } from '@flowforge/storage';
import { AssetStore } from '../assets/asset.store';
import { LAKE_STORE } from './lake.module';
import { withTransaction } from '@flowforge/db';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

export interface GcReport {
  scannedFiles: number;
  /** Attempt folders removed: staged, never committed (or no longer listed by any snapshot), older than the grace period. */
  deletedAttempts: string[];
  deletedFiles: number;
}

interface AttemptFiles {
  keys: string[];
  newest: number;
}

/**
 * Lake garbage collection: walks `<layer>/<ns>/<table>/data/<attempt>/` folders (listing order keeps a
 * table's keys together) and deletes the folders no snapshot lists whose newest file is older than the
 * grace period. Each table is decided under the same lock a commit takes, and a commit re-checks its files
 * under it, so a folder is never deleted under a commit that is about to list it. Keys outside the layout
 * are never touched.
 */
@Injectable()
export class LakeGcService {
  constructor(
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly assets: AssetStore,
    @Inject(LAKE_STORE) private readonly store: ObjectStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  async collect(graceMs: number, now = Date.now()): Promise<GcReport> {
    const report: GcReport = { scannedFiles: 0, deletedAttempts: [], deletedFiles: 0 };
    let table = null as { ref: LakeTableRef; root: string; attempts: Map<string, AttemptFiles> } | null;
    for await (const obj of this.store.list('')) {
      const parsed = parseDataKey(obj.key);
      if (!parsed) continue;
      report.scannedFiles++;
      const root = tableRoot(parsed.ref);
      if (table?.root !== root) {
        if (table) await this.sweepTable(table.ref, table.attempts, graceMs, now, report);
        table = { ref: parsed.ref, root, attempts: new Map() };
      }
      const attempt = table.attempts.get(parsed.attemptId) ?? { keys: [], newest: 0 };
      attempt.keys.push(obj.key);
      attempt.newest = Math.max(attempt.newest, obj.lastModified.getTime());
      table.attempts.set(parsed.attemptId, attempt);
    }
    if (table) await this.sweepTable(table.ref, table.attempts, graceMs, now, report);
    if (report.deletedAttempts.length > 0) {
      this.logger.info(
        { module: 'catalog', deletedAttempts: report.deletedAttempts.length, deletedFiles: report.deletedFiles },
        'lake GC removed uncommitted attempt folders',
      );
    }
    return report;
  }

  private async sweepTable(ref: LakeTableRef, attempts: Map<string, AttemptFiles>, graceMs: number, now: number, report: GcReport): Promise<void> {
    // Only folders past the grace period can go; when there are none the database is not even asked.
    if (![...attempts.values()].some((a) => now - a.newest >= graceMs)) return;
    const root = tableRoot(ref);
    await withTransaction(this.pool, async (tx) => {
      await this.assets.lockTable(tx, root);
      const referenced = await this.assets.referencedAttempts(tx, ref);
      for (const [id, a] of attempts) {
        if (referenced.has(id) || now - a.newest < graceMs) continue;
        await this.store.deleteMany(a.keys);
        report.deletedAttempts.push(`${root}/data/${id}/`);
        report.deletedFiles += a.keys.length;
      }
    });
  }
}
