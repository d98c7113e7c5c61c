import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { localCopiesOf, sqlStringList, type JsonRow } from '@flowforge/engine';
import type { AsOfQuery } from '@flowforge/http';
import { FlowForgeError, servicePoolToken } from '@flowforge/service-kit';
import { scd2AsOfSql } from '@flowforge/transform';
import { LakeInputs } from '../lake/lake-inputs';
import { TransformCatalogClient } from '../lake/transform-catalog.client';
import { TransformRunner } from '../run/transform.runner';
import { toProblem } from './query.errors';
import { QueryLimits } from './query.limits';
import { Scd2TableStore } from './scd2-table.store';

export interface AsOfView {
  assetId: string;
  snapshotId: string;
  ts: string;
  columns: { name: string; type: string }[];
  rows: JsonRow[];
  truncated: boolean;
}

/**
 * `GET /assets/{id}/as-of?ts=`: the versions of an SCD2 dimension valid at `ts` (valid_from ≤ ts < valid_to),
 * read from its current snapshot with the validity columns gold.scd2 recorded when it wrote the table.
 */
@Injectable()
export class AsOfService {
  private readonly tables: Scd2TableStore;

  constructor(
    private readonly catalog: TransformCatalogClient,
    private readonly runner: TransformRunner,
    private readonly lakeInputs: LakeInputs,
    private readonly limits: QueryLimits,
    @Inject(servicePoolToken('transformation')) pool: Pool,
  ) {
    this.tables = new Scd2TableStore(pool);
  }

  async query(assetId: string, q: AsOfQuery): Promise<AsOfView> {
    try {
      const asset = await this.catalog.assetById(assetId);
      const scd2 = await this.tables.find(assetId);
      if (!scd2) {
        throw new FlowForgeError(
          'FF_ASSET_NOT_SCD2',
          409,
          'Conflict',
          `asset ${assetId} (${asset.layer}.${asset.namespace}.${asset.table}) was not written by gold.scd2: it has no validity columns to ask`,
        );
      }
      const current = asset.currentSnapshot;
      if (!current) throw new FlowForgeError('FF_ASSET_EMPTY', 404, 'Not Found', `asset ${assetId} has no snapshot yet`);
      const snapshot = await this.catalog.snapshot(assetId, current.id);
      return await this.runner.withEngine(
        'ff-asof-',
        async (db, work) => {
          const local = await localCopiesOf(
            this.lakeInputs.lake,
            snapshot.files.map((f) => f.path),
            { tmpDir: work },
          );
          try {
            const query = scd2AsOfSql(`(SELECT * FROM read_parquet(${sqlStringList(local.paths)}, union_by_name = true))`, scd2.columns, q.ts);
            return await db.withSession(async (session) => {
              const r = await this.limits.timed(session, () => session.all(`${query.sql} LIMIT ${q.limit + 1}`, query.params));
              return {
                assetId,
                snapshotId: current.id,
                ts: new Date(q.ts).toISOString(),
                columns: r.columns,
                rows: r.rows.slice(0, q.limit),
                truncated: r.rows.length > q.limit,
              };
            });
          } finally {
            await local.cleanup();
          }
        },
        this.limits.engine(),
      );
    } catch (err) {
      throw toProblem(err, 'query.');
    }
  }
}
