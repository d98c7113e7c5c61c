import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ExportHistoryQuery } from '@flowforge/http';

export interface ExportRecord {
  id: string;
  destination: string;
  sourceAssetId: string;
  sourceTable: string;
  snapshotId: string;
  sinceSnapshotId: string | null;
  mode: 'full' | 'incremental';
  rows: number;
  status: 'succeeded' | 'failed';
  error: string | null;
  runId: string | null;
  stepId: string | null;
  startedAt: string;
  finishedAt: string;
}

const COLUMNS =
  'id, destination, source_asset_id, source_table, snapshot_id, since_snapshot_id, mode, rows, status, error, run_id, step_id, started_at, finished_at';

const view = (r: Record<string, unknown>): ExportRecord => ({
  id: r.id as string,
  destination: r.destination as string,
  sourceAssetId: r.source_asset_id as string,
  sourceTable: r.source_table as string,
  snapshotId: r.snapshot_id as string,
  sinceSnapshotId: (r.since_snapshot_id as string | null) ?? null,
  mode: r.mode as ExportRecord['mode'],
  rows: Number(r.rows),
  status: r.status as ExportRecord['status'],
  error: (r.error as string | null) ?? null,
  runId: (r.run_id as string | null) ?? null,
  stepId: (r.step_id as string | null) ?? null,
  startedAt: (r.started_at as Date).toISOString(),
  finishedAt: (r.finished_at as Date).toISOString(),
});

/** ff_transformation.export_history: each export step's outcome per destination; an incremental export starts from the last success. */
export class ExportHistoryStore {
  constructor(private readonly pool: Pool) {}

  /** The last snapshot of `assetId` exported successfully to `destination`, or null. */
  async lastSucceeded(destination: string, assetId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ snapshot_id: string }>(
      `SELECT snapshot_id FROM ff_transformation.export_history WHERE destination = $1 AND source_asset_id = $2 AND status = 'succeeded'
       ORDER BY finished_at DESC LIMIT 1`,
      [destination, assetId],
    );
    return rows[0]?.snapshot_id ?? null;
  }

  async record(r: Omit<ExportRecord, 'id' | 'finishedAt' | 'startedAt'> & { startedAt: Date }): Promise<void> {
    await this.pool.query(
      `INSERT INTO ff_transformation.export_history (id, destination, source_asset_id, source_table, snapshot_id, since_snapshot_id, mode, rows, status, error, run_id, step_id, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        randomUUID(),
        r.destination,
        r.sourceAssetId,
        r.sourceTable,
        r.snapshotId,
        r.sinceSnapshotId,
        r.mode,
        r.rows,
        r.status,
        r.error?.slice(0, 4000) ?? null,
        r.runId,
        r.stepId,
        r.startedAt,
      ],
    );
  }

  async list(q: ExportHistoryQuery): Promise<ExportRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT ${COLUMNS} FROM ff_transformation.export_history WHERE ($1::text IS NULL OR destination = $1) ORDER BY finished_at DESC, id LIMIT $2 OFFSET $3`,
      [q.destination ?? null, q.limit, q.offset],
    );
    return rows.map(view);
  }
}
