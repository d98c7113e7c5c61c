import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { ColumnSchema, LakeLayer, LakeTableRef, TableStats } from '@flowforge/engine';

export interface AssetRecord {
  id: string;
  layer: LakeLayer;
  namespace: string;
  table: string;
  currentSnapshotId: string | null;
  retentionKeepLast: number | null;
  retentionMaxAgeSeconds: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SnapshotRecord {
  id: string;
  assetId: string;
  sequence: number;
  parentSnapshotId: string | null;
  operation: 'overwrite' | 'append';
  rowCount: number;
  fileCount: number;
  totalBytes: number;
  schema: ColumnSchema[];
  schemaVersion: number;
  stats: TableStats;
  runId: string | null;
  idempotencyKey: string;
  committedAt: Date;
  /** Source files read to make it (ingestion). */
  inputs: SnapshotSourceFile[];
  /** Lake snapshots read to compute it (transformation). */
  sourceSnapshots: SnapshotSource[];
}

export interface SnapshotSourceFile {
  connection: string;
  path: string;
  size: number | null;
  etag: string | null;
}

export interface SnapshotSource {
  assetId: string;
  snapshotId: string;
  layer: LakeLayer;
  namespace: string;
  table: string;
}

export interface SnapshotFileRecord {
  path: string;
  attemptId: string;
  rows: number;
  bytes: number;
}

/** How a schema version differs from the one before (the first version lists every column as added). */
export interface SchemaChange {
  added: string[];
  removed: string[];
  /** Type or nullability changed, rendered like "BIGINT" / "BIGINT NOT NULL". */
  changed: { name: string; from: string; to: string }[];
  /** Same columns in another order. */
  reordered: boolean;
}

export interface SchemaVersionRecord {
  version: number;
  schema: ColumnSchema[];
  changes: SchemaChange;
  introducedBySnapshotId: string;
  createdAt: Date;
}

type Row = Record<string, unknown>;

const ASSET_COLUMNS = 'id, layer, namespace, name, current_snapshot_id, retention_keep_last, retention_max_age_seconds, created_at, updated_at';
const SNAPSHOT_COLUMNS =
  'id, asset_id, sequence, parent_snapshot_id, operation, row_count, file_count, total_bytes, schema, schema_version, stats, run_id, idempotency_key, committed_at, inputs, source_snapshots';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toAsset = (r: Row): AssetRecord => ({
  id: r.id as string,
  layer: r.layer as LakeLayer,
  namespace: r.namespace as string,
  table: r.name as string,
  currentSnapshotId: (r.current_snapshot_id as string | null) ?? null,
  retentionKeepLast: numOrNull(r.retention_keep_last),
  retentionMaxAgeSeconds: numOrNull(r.retention_max_age_seconds),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const toSnapshot = (r: Row): SnapshotRecord => ({
  id: r.id as string,
  assetId: r.asset_id as string,
  sequence: num(r.sequence),
  parentSnapshotId: (r.parent_snapshot_id as string | null) ?? null,
  operation: r.operation as SnapshotRecord['operation'],
  rowCount: num(r.row_count),
  fileCount: num(r.file_count),
  totalBytes: num(r.total_bytes),
  schema: r.schema as ColumnSchema[],
  schemaVersion: num(r.schema_version),
  stats: r.stats as TableStats,
  runId: (r.run_id as string | null) ?? null,
  idempotencyKey: r.idempotency_key as string,
  committedAt: r.committed_at as Date,
  inputs: (r.inputs as SnapshotSourceFile[] | null) ?? [],
  sourceSnapshots: (r.source_snapshots as SnapshotSource[] | null) ?? [],
});

/** SQL over ff_catalog.assets, snapshots, snapshot_files and schema_versions; every method takes the Queryable to run on (a transaction or the pool). */
@Injectable()
export class AssetStore {
  /** Serialises commits, retention and the lake GC of one table (advisory lock, released at COMMIT). */
  async lockTable(tx: Queryable, root: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ff_catalog.lake:${root}`]);
  }

  async list(q: Queryable, f: { layer?: LakeLayer; namespace?: string; table?: string; limit: number; offset: number }): Promise<AssetRecord[]> {
    const { rows } = await q.query(
      `SELECT ${ASSET_COLUMNS} FROM ff_catalog.assets
       WHERE deleted_at IS NULL AND ($1::text IS NULL OR layer = $1) AND ($2::text IS NULL OR namespace = $2) AND ($3::text IS NULL OR name = $3)
       ORDER BY layer, namespace, name LIMIT $4 OFFSET $5`,
      [f.layer ?? null, f.namespace ?? null, f.table ?? null, f.limit, f.offset],
    );
    return rows.map(toAsset);
  }

  async find(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<AssetRecord | null> {
    const { rows } = await q.query(
      `SELECT ${ASSET_COLUMNS} FROM ff_catalog.assets WHERE id = $1 AND deleted_at IS NULL${opts.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toAsset(rows[0]) : null;
  }

  async findByRef(q: Queryable, ref: LakeTableRef): Promise<AssetRecord | null> {
    const { rows } = await q.query(`SELECT ${ASSET_COLUMNS} FROM ff_catalog.assets WHERE layer = $1 AND namespace = $2 AND name = $3 AND deleted_at IS NULL`, [
      ref.layer,
      ref.namespace,
      ref.table,
    ]);
    return rows[0] ? toAsset(rows[0]) : null;
  }

  /** The live asset of `ref`, created if missing (with `newId`; also after a delete), locked for the caller's transaction. */
  async ensureLocked(tx: Queryable, ref: LakeTableRef, newId: string): Promise<AssetRecord> {
    const select = `SELECT ${ASSET_COLUMNS} FROM ff_catalog.assets WHERE layer = $1 AND namespace = $2 AND name = $3 AND deleted_at IS NULL FOR UPDATE`;
    const params = [ref.layer, ref.namespace, ref.table];
    const found = await tx.query(select, params);
    if (found.rows[0]) return toAsset(found.rows[0]);
    // A concurrent first commit of the same table waits here on the unique key, then finds its row.
    await tx.query(
      `INSERT INTO ff_catalog.assets (id, layer, namespace, name) VALUES ($1, $2, $3, $4) ON CONFLICT (layer, namespace, name) WHERE deleted_at IS NULL DO NOTHING`,
      [newId, ...params],
    );
    return toAsset((await tx.query(select, params)).rows[0]!);
  }

  /** Hides the asset (its rows and lake files stay); false when it is not there (or already deleted). */
  async softDelete(tx: Queryable, assetId: string): Promise<boolean> {
    const res = await tx.query(`UPDATE ff_catalog.assets SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL`, [assetId]);
    return (res.rowCount ?? 0) > 0;
  }

  async setCurrent(tx: Queryable, assetId: string, snapshotId: string): Promise<void> {
    await tx.query(`UPDATE ff_catalog.assets SET current_snapshot_id = $2, updated_at = now() WHERE id = $1`, [assetId, snapshotId]);
  }

  async setRetention(q: Queryable, assetId: string, keepLast: number | null, maxAgeSeconds: number | null): Promise<void> {
    await q.query(`UPDATE ff_catalog.assets SET retention_keep_last = $2, retention_max_age_seconds = $3, updated_at = now() WHERE id = $1`, [
      assetId,
      keepLast,
      maxAgeSeconds,
    ]);
  }

  async withRetention(q: Queryable): Promise<string[]> {
    const { rows } = await q.query(
      `SELECT id FROM ff_catalog.assets WHERE deleted_at IS NULL AND (retention_keep_last IS NOT NULL OR retention_max_age_seconds IS NOT NULL) ORDER BY id`,
    );
    return rows.map((r) => r.id as string);
  }

  async snapshot(q: Queryable, assetId: string, snapshotId: string): Promise<SnapshotRecord | null> {
    const { rows } = await q.query(`SELECT ${SNAPSHOT_COLUMNS} FROM ff_catalog.snapshots WHERE asset_id = $1 AND id = $2`, [assetId, snapshotId]);
    return rows[0] ? toSnapshot(rows[0]) : null;
  }

  async snapshotsByIds(q: Queryable, ids: string[]): Promise<Map<string, SnapshotRecord>> {
    if (ids.length === 0) return new Map();
    const { rows } = await q.query(`SELECT ${SNAPSHOT_COLUMNS} FROM ff_catalog.snapshots WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id as string, toSnapshot(r)]));
  }

  async snapshotByKey(q: Queryable, assetId: string, idempotencyKey: string): Promise<SnapshotRecord | null> {
    const { rows } = await q.query(`SELECT ${SNAPSHOT_COLUMNS} FROM ff_catalog.snapshots WHERE asset_id = $1 AND idempotency_key = $2`, [
      assetId,
      idempotencyKey,
    ]);
    return rows[0] ? toSnapshot(rows[0]) : null;
  }

  async snapshots(q: Queryable, assetId: string, page: { limit: number; offset: number }): Promise<SnapshotRecord[]> {
    const { rows } = await q.query(`SELECT ${SNAPSHOT_COLUMNS} FROM ff_catalog.snapshots WHERE asset_id = $1 ORDER BY sequence DESC LIMIT $2 OFFSET $3`, [
      assetId,
      page.limit,
      page.offset,
    ]);
    return rows.map(toSnapshot);
  }

  async files(q: Queryable, snapshotId: string): Promise<SnapshotFileRecord[]> {
    const { rows } = await q.query(`SELECT path, attempt_id, row_count, bytes FROM ff_catalog.snapshot_files WHERE snapshot_id = $1 ORDER BY ordinal`, [
      snapshotId,
    ]);
    return rows.map((r) => ({ path: r.path as string, attemptId: r.attempt_id as string, rows: num(r.row_count), bytes: num(r.bytes) }));
  }

  async nextSequence(tx: Queryable, assetId: string): Promise<number> {
    const { rows } = await tx.query(`SELECT coalesce(max(sequence), 0) + 1 AS next FROM ff_catalog.snapshots WHERE asset_id = $1`, [assetId]);
    return num(rows[0]!.next);
  }

  async insertSnapshot(tx: Queryable, s: Omit<SnapshotRecord, 'committedAt'>, files: readonly SnapshotFileRecord[]): Promise<SnapshotRecord> {
    const { rows } = await tx.query(
      `INSERT INTO ff_catalog.snapshots (id, asset_id, sequence, parent_snapshot_id, operation, row_count, file_count, total_bytes, schema, schema_version, stats, run_id, idempotency_key, inputs, source_snapshots)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::jsonb, $12, $13, $14::jsonb, $15::jsonb) RETURNING ${SNAPSHOT_COLUMNS}`,
      [
        s.id,
        s.assetId,
        s.sequence,
        s.parentSnapshotId,
        s.operation,
        s.rowCount,
        s.fileCount,
        s.totalBytes,
        JSON.stringify(s.schema),
        s.schemaVersion,
        JSON.stringify(s.stats),
        s.runId,
        s.idempotencyKey,
        JSON.stringify(s.inputs),
        JSON.stringify(s.sourceSnapshots),
      ],
    );
    await tx.query(
      `INSERT INTO ff_catalog.snapshot_files (snapshot_id, ordinal, path, attempt_id, row_count, bytes)
       SELECT $1, f.ordinal - 1, f.path, f.attempt_id, f.row_count, f.bytes
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS f(path, attempt_id, row_count, bytes, ordinal)`,
      [s.id, files.map((f) => f.path), files.map((f) => f.attemptId), files.map((f) => f.rows), files.map((f) => f.bytes)],
    );
    return toSnapshot(rows[0]!);
  }

  async latestSchemaVersion(q: Queryable, assetId: string): Promise<SchemaVersionRecord | null> {
    const { rows } = await q.query(
      `SELECT version, schema, changes, introduced_by_snapshot_id, created_at FROM ff_catalog.schema_versions WHERE asset_id = $1 ORDER BY version DESC LIMIT 1`,
      [assetId],
    );
    return rows[0] ? toSchemaVersion(rows[0]) : null;
  }

  async schemaHistory(q: Queryable, assetId: string): Promise<SchemaVersionRecord[]> {
    const { rows } = await q.query(
      `SELECT version, schema, changes, introduced_by_snapshot_id, created_at FROM ff_catalog.schema_versions WHERE asset_id = $1 ORDER BY version`,
      [assetId],
    );
    return rows.map(toSchemaVersion);
  }

  async insertSchemaVersion(tx: Queryable, assetId: string, v: Omit<SchemaVersionRecord, 'createdAt'>): Promise<void> {
    await tx.query(
      `INSERT INTO ff_catalog.schema_versions (asset_id, version, schema, changes, introduced_by_snapshot_id) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)`,
      [assetId, v.version, JSON.stringify(v.schema), JSON.stringify(v.changes), v.introducedBySnapshotId],
    );
  }

  /** Snapshots of an asset, newest first, for a retention decision. */
  async retentionCandidates(tx: Queryable, assetId: string): Promise<{ id: string; sequence: number; committedAt: Date }[]> {
    const { rows } = await tx.query(`SELECT id, sequence, committed_at FROM ff_catalog.snapshots WHERE asset_id = $1 ORDER BY sequence DESC`, [assetId]);
    return rows.map((r) => ({ id: r.id as string, sequence: num(r.sequence), committedAt: r.committed_at as Date }));
  }

  /** Files of `expired` snapshots that no other snapshot of the asset lists (safe to delete once they are gone). */
  async filesOnlyIn(tx: Queryable, assetId: string, expired: string[]): Promise<string[]> {
    const { rows } = await tx.query(
      `SELECT DISTINCT f.path FROM ff_catalog.snapshot_files f
       WHERE f.snapshot_id = ANY($2::uuid[])
         AND NOT EXISTS (
           SELECT 1 FROM ff_catalog.snapshot_files g JOIN ff_catalog.snapshots s ON s.id = g.snapshot_id
           WHERE s.asset_id = $1 AND g.path = f.path AND NOT (g.snapshot_id = ANY($2::uuid[])))
       ORDER BY f.path`,
      [assetId, expired],
    );
    return rows.map((r) => r.path as string);
  }

  async deleteSnapshots(tx: Queryable, ids: string[]): Promise<void> {
    await tx.query(`DELETE FROM ff_catalog.snapshots WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Attempt folders of a table that some snapshot still lists (deleted assets' too: a soft delete keeps the data): the lake GC never touches them. */
  async referencedAttempts(q: Queryable, ref: LakeTableRef): Promise<Set<string>> {
    const { rows } = await q.query(
      `SELECT DISTINCT f.attempt_id FROM ff_catalog.snapshot_files f
       JOIN ff_catalog.snapshots s ON s.id = f.snapshot_id JOIN ff_catalog.assets a ON a.id = s.asset_id
       WHERE a.layer = $1 AND a.namespace = $2 AND a.name = $3`,
      [ref.layer, ref.namespace, ref.table],
    );
    return new Set(rows.map((r) => r.attempt_id as string));
  }
}

function toSchemaVersion(r: Row): SchemaVersionRecord {
  return {
    version: num(r.version),
    schema: r.schema as ColumnSchema[],
    changes: r.changes as SchemaChange,
    introducedBySnapshotId: r.introduced_by_snapshot_id as string,
    createdAt: r.created_at as Date,
  };
}
