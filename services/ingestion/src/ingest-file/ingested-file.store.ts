import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { FileEntry } from '@flowforge/connectors';

/** What identifies one version of a source file: the same path with another size or version is a new file. */
export interface FileIdentity {
  connection: string;
  path: string;
  size: number | null;
  etag: string | null;
  modifiedAt: string | null;
}

export interface IngestedFileRecord extends FileIdentity {
  assetId: string;
  snapshotId: string;
  runId: string;
  stepId: string;
  attempt: number;
  rows: number;
  rejected: number;
}

/** ETag when the location has one, else the modification time, else nothing (then size and path decide). */
export const fileVersion = (f: Pick<FileIdentity, 'etag' | 'modifiedAt'>): string => (f.etag ? `etag:${f.etag}` : f.modifiedAt ? `mtime:${f.modifiedAt}` : '');

export const identityOf = (connection: string, e: FileEntry): FileIdentity => ({
  connection,
  path: e.path,
  size: e.size,
  etag: e.etag,
  modifiedAt: e.modifiedAt,
});

/** SQL over ff_ingestion.ingested_files; every method takes the Queryable to run on. */
@Injectable()
export class IngestedFileStore {
  /** The subset of `files` already loaded into `target` (same connection, path, size and version). */
  async alreadyIngested(q: Queryable, target: string, files: readonly FileIdentity[]): Promise<Set<string>> {
    if (files.length === 0) return new Set();
    const { rows } = await q.query<{ path: string }>(
      `SELECT f.path FROM ff_ingestion.ingested_files f
       JOIN unnest($2::text[], $3::text[], $4::bigint[], $5::text[]) AS c(connection, path, size, version)
         ON f.connection = c.connection AND f.path = c.path AND f.size = c.size AND f.version = c.version
       WHERE f.target = $1`,
      [target, files.map((f) => f.connection), files.map((f) => f.path), files.map((f) => f.size ?? -1), files.map(fileVersion)],
    );
    return new Set(rows.map((r) => r.path));
  }

  /** Records loaded files; a reprocessed file's row now names the latest load. */
  async record(q: Queryable, target: string, files: readonly IngestedFileRecord[]): Promise<void> {
    if (files.length === 0) return;
    await q.query(
      `INSERT INTO ff_ingestion.ingested_files
         (target, connection, path, size, version, etag, modified_at, asset_id, snapshot_id, run_id, step_id, attempt, rows, rejected)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::uuid[], $10::text[], $11::text[], $12::int[], $13::bigint[], $14::bigint[])
       ON CONFLICT (target, connection, path, size, version) DO UPDATE SET
         asset_id = EXCLUDED.asset_id, snapshot_id = EXCLUDED.snapshot_id, run_id = EXCLUDED.run_id, step_id = EXCLUDED.step_id,
         attempt = EXCLUDED.attempt, rows = EXCLUDED.rows, rejected = EXCLUDED.rejected, ingested_at = now()`,
      [
        target,
        files.map((f) => f.connection),
        files.map((f) => f.path),
        files.map((f) => f.size ?? -1),
        files.map(fileVersion),
        files.map((f) => f.etag),
        files.map((f) => f.modifiedAt),
        files.map((f) => f.assetId),
        files.map((f) => f.snapshotId),
        files.map((f) => f.runId),
        files.map((f) => f.stepId),
        files.map((f) => f.attempt),
        files.map((f) => f.rows),
        files.map((f) => f.rejected),
      ],
    );
  }
}
