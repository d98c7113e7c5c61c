import type { ColumnSchema, LakeLayer, TableStats } from '@flowforge/engine';
import type { AssetRecord, SchemaChange, SchemaVersionRecord, SnapshotFileRecord, SnapshotRecord, SnapshotSource, SnapshotSourceFile } from './asset.store';

export interface SnapshotView {
  id: string;
  assetId: string;
  sequence: number;
  parentSnapshotId: string | null;
  operation: 'overwrite' | 'append';
  rowCount: number;
  fileCount: number;
  totalBytes: number;
  schemaVersion: number;
  schema: ColumnSchema[];
  stats: TableStats;
  runId: string | null;
  committedAt: string;
  /** Source files read to make the snapshot (ingestion). */
  inputs: SnapshotSourceFile[];
  /** Lake snapshots read to compute it (transformation): with `inputs`, what reproduces it. */
  sourceSnapshots: SnapshotSource[];
}

export interface SnapshotDetailView extends SnapshotView {
  files: { path: string; rows: number; bytes: number }[];
}

export interface AssetView {
  id: string;
  layer: LakeLayer;
  namespace: string;
  table: string;
  currentSnapshot: SnapshotView | null;
  retention: { keepLast: number | null; maxAgeSeconds: number | null };
  createdAt: string;
  updatedAt: string;
}

export interface SchemaVersionView {
  version: number;
  schema: ColumnSchema[];
  changes: SchemaChange;
  introducedBySnapshotId: string;
  createdAt: string;
}

export function snapshotView(s: SnapshotRecord): SnapshotView {
  return {
    id: s.id,
    assetId: s.assetId,
    sequence: s.sequence,
    parentSnapshotId: s.parentSnapshotId,
    operation: s.operation,
    rowCount: s.rowCount,
    fileCount: s.fileCount,
    totalBytes: s.totalBytes,
    schemaVersion: s.schemaVersion,
    schema: s.schema,
    stats: s.stats,
    runId: s.runId,
    committedAt: s.committedAt.toISOString(),
    inputs: s.inputs,
    sourceSnapshots: s.sourceSnapshots,
  };
}

export function snapshotDetailView(s: SnapshotRecord, files: readonly SnapshotFileRecord[]): SnapshotDetailView {
  return { ...snapshotView(s), files: files.map((f) => ({ path: f.path, rows: f.rows, bytes: f.bytes })) };
}

export function assetView(a: AssetRecord, current: SnapshotRecord | null): AssetView {
  return {
    id: a.id,
    layer: a.layer,
    namespace: a.namespace,
    table: a.table,
    currentSnapshot: current ? snapshotView(current) : null,
    retention: { keepLast: a.retentionKeepLast, maxAgeSeconds: a.retentionMaxAgeSeconds },
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function schemaVersionView(v: SchemaVersionRecord): SchemaVersionView {
  return { version: v.version, schema: v.schema, changes: v.changes, introducedBySnapshotId: v.introducedBySnapshotId, createdAt: v.createdAt.toISOString() };
}
