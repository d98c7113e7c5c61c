import { Inject, Injectable } from '@nestjs/common';
import { localCopiesOf, type LakeTableRef, type LocalFiles } from '@flowforge/engine';
import { JobError, type AssetInfo } from '@flowforge/executor';
import type { ObjectStore } from '@flowforge/storage';
import { tableName, type LakeInput } from '@flowforge/transform';
import { TransformCatalogClient } from './transform-catalog.client';

/** The lake's object store as the transformation service sees it (the same FLOWFORGE_LAKE_* as the catalog). */
export const TRANSFORMATION_LAKE_STORE = Symbol.for('flowforge.transformation.lake-store');

/** One input table as resolved for a run: the snapshot read (null: the table does not exist yet). */
export interface ResolvedInput {
  ref: LakeTableRef;
  asset: AssetInfo | null;
  input: LakeInput | null;
}

export interface ResolvedInputs {
  inputs: ResolvedInput[];
  /** The LakeInputs of the tables that exist, for registerInputs. */
  present: LakeInput[];
  /** `{ assetId, snapshotId }` of every snapshot read: the commit's sourceSnapshots. */
  sources: { assetId: string; snapshotId: string }[];
  /** Total rows of the snapshots read (progress). */
  rows: number;
  cleanup(): Promise<void>;
}

/**
 * Resolves the tables a job reads to their current snapshots (schema + data files) through the catalog and
 * makes the files readable by DuckDB: the local lake's in place, S3's downloaded into the work folder. A
 * table that does not exist is an error naming it, unless the caller allows it (the target of an SCD2 merge
 * before its first run). Each snapshot read is named in the commit, so the result can be reproduced.
 */
@Injectable()
export class LakeInputs {
  constructor(
    private readonly catalog: TransformCatalogClient,
    @Inject(TRANSFORMATION_LAKE_STORE) readonly lake: ObjectStore,
  ) {}

  async resolve(
    refs: readonly LakeTableRef[],
    opts: { workDir: string; signal?: AbortSignal; mayBeMissing?: (ref: LakeTableRef) => boolean },
  ): Promise<ResolvedInputs> {
    const unique = dedupe(refs);
    const copies: LocalFiles[] = [];
    const cleanup = async () => {
      for (const c of copies) await c.cleanup().catch(() => undefined);
    };
    try {
      const inputs: ResolvedInput[] = [];
      for (const ref of unique) {
        opts.signal?.throwIfAborted();
        const asset = await this.catalog.asset(ref, opts.signal);
        const current = asset?.currentSnapshot ?? null;
        if (!asset || !current) {
          if (opts.mayBeMissing?.(ref)) {
            inputs.push({ ref, asset, input: null });
            continue;
          }
          throw new JobError('FF_TRANSFORM_UNKNOWN_TABLE', `${tableName(ref)} is not in the lake (no committed snapshot): run the job that writes it first`, {
            retryable: false,
          });
        }
        const snapshot = await this.catalog.snapshot(asset.id, current.id, opts.signal);
        const local = await localCopiesOf(
          this.lake,
          snapshot.files.map((f) => f.path),
          { tmpDir: opts.workDir },
        );
        copies.push(local);
        inputs.push({ ref, asset, input: { ref, snapshotId: current.id, schema: snapshot.schema, files: local.paths } });
      }
      const present = inputs.flatMap((i) => (i.input ? [i.input] : []));
      return {
        inputs,
        present,
        sources: inputs.flatMap((i) => (i.asset && i.input ? [{ assetId: i.asset.id, snapshotId: i.input.snapshotId }] : [])),
        rows: inputs.reduce((n, i) => n + (i.asset?.currentSnapshot?.rowCount ?? 0), 0),
        cleanup,
      };
    } catch (err) {
      await cleanup();
      throw err;
    }
  }
}

function dedupe(refs: readonly LakeTableRef[]): LakeTableRef[] {
  const seen = new Map<string, LakeTableRef>();
  for (const r of refs) seen.set(tableName(r), r);
  return [...seen.values()];
}
