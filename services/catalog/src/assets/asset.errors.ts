import { FlowForgeError, NotFoundProblem } from '@flowforge/service-kit';

export const assetNotFound = (id: string) => new NotFoundProblem('FF_ASSET_NOT_FOUND', `asset ${id} does not exist`);

export const snapshotNotFound = (assetId: string, snapshotId: string) =>
  new NotFoundProblem('FF_SNAPSHOT_NOT_FOUND', `asset ${assetId} has no snapshot ${snapshotId} (never committed, or removed by retention)`);

export const assetEmpty = (assetId: string) => new NotFoundProblem('FF_ASSET_EMPTY', `asset ${assetId} has no committed snapshot yet`);

/** A stale parent: another writer committed first. The writer re-reads the asset and retries (or fails the step). */
export class CommitConflictProblem extends FlowForgeError {
  constructor(assetId: string, expected: string | null, actual: string | null) {
    super(
      'FF_ASSET_COMMIT_CONFLICT',
      409,
      'Commit conflict',
      `asset ${assetId}: the commit names parent snapshot ${expected ?? 'none (a first commit)'} but the current snapshot is ${actual ?? 'none'}; ` +
        're-read the asset, rebuild on the current snapshot and commit again',
    );
  }
}

export class IdempotencyKeyReusedProblem extends FlowForgeError {
  constructor(assetId: string, key: string, snapshotId: string) {
    super(
      'FF_ASSET_IDEMPOTENCY_KEY_REUSED',
      409,
      'Idempotency key reused',
      `asset ${assetId}: idempotency key "${key}" already made snapshot ${snapshotId} from other files; a retry must send the same files, a new write needs a new key`,
    );
  }
}

export class AppendSchemaMismatchProblem extends FlowForgeError {
  constructor(assetId: string, detail: string) {
    super(
      'FF_ASSET_SCHEMA_MISMATCH',
      409,
      'Schema mismatch',
      `asset ${assetId}: an append must keep the current schema (${detail}); write an overwrite to change it`,
    );
  }
}

/** Files named by a commit that are not (or no longer) in the lake, or not where the layout says. */
export class CommitFilesProblem extends FlowForgeError {
  constructor(code: 'FF_ASSET_FILE_MISSING' | 'FF_ASSET_FILE_PATH' | 'FF_ASSET_FILE_SIZE_MISMATCH', errors: { field: string; message: string }[]) {
    super(code, 400, 'Commit names unusable files', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
}

/** Files of a snapshot vanished while reading it (retention won the race): the caller may retry. */
export class SnapshotGoneProblem extends FlowForgeError {
  constructor(assetId: string, snapshotId: string) {
    super(
      'FF_SNAPSHOT_EXPIRED',
      409,
      'Snapshot expired',
      `snapshot ${snapshotId} of asset ${assetId} was removed while it was being read; read the current snapshot`,
    );
  }
}
