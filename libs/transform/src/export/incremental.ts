import { sqlIdent } from '@flowforge/engine';
import type { LakeInput } from '../relations';
import { parseTableName, tableSql } from '../relations';

/** A snapshot of the source as the export runner knows it: its id and its data files (catalog paths). */
export interface ExportedSnapshot {
  snapshotId: string;
  files: readonly string[];
}

/**
 * What one run of an export reads (the export-history contract, libs/transform/README.md, "Exports"):
 * `full` every file of the current snapshot, `incremental` only the files the last exported snapshot did
 * not have, `unchanged` nothing (the same snapshot again). `reason` says why, for the run's log.
 */
export interface ExportPlan {
  mode: 'full' | 'incremental' | 'unchanged';
  files: string[];
  reason: string;
}

/**
 * Plans an export run. Lake snapshots of an append-only table only ever add files, so the rows since the
 * last export are exactly the files of `current` not in `lastExported`. When a file of the last exported
 * snapshot is gone (the table was replaced, compacted or rows were rewritten), there is no such
 * difference: the run falls back to `full` (for a warehouse destination in `append` mode the runner then
 * loads with `replace`, see `effectiveWriteMode`, so no row arrives twice).
 */
export function planExport(mode: 'full' | 'incremental', current: ExportedSnapshot, lastExported?: ExportedSnapshot): ExportPlan {
  if (mode === 'full') return { mode: 'full', files: [...current.files], reason: 'full export' };
  if (!lastExported) return { mode: 'full', files: [...current.files], reason: 'first export to this destination' };
  if (lastExported.snapshotId === current.snapshotId) return { mode: 'unchanged', files: [], reason: `snapshot ${current.snapshotId} was already exported` };
  const now = new Set(current.files);
  const gone = lastExported.files.filter((f) => !now.has(f));
  if (gone.length > 0) {
    return {
      mode: 'full',
      files: [...current.files],
      reason: `the source was rewritten since snapshot ${lastExported.snapshotId} (${gone.length} of its files are gone): exporting every row`,
    };
  }
  const before = new Set(lastExported.files);
  const added = current.files.filter((f) => !before.has(f));
  return { mode: 'incremental', files: added, reason: `${added.length} file(s) added since snapshot ${lastExported.snapshotId}` };
}

/** The write mode a warehouse load uses for `plan`: an append after a fallback to full would duplicate rows, so it replaces. */
export function effectiveWriteMode<M extends 'replace' | 'append' | 'merge'>(
  configured: M,
  plan: ExportPlan,
  configMode: 'full' | 'incremental',
): M | 'replace' {
  return configMode === 'incremental' && plan.mode === 'full' && configured === 'append' ? 'replace' : configured;
}

/** The source input restricted to the plan's files (register it with registerInputs; no files → a typed empty table). */
export function exportInput(source: LakeInput, plan: ExportPlan): LakeInput {
  return { ...source, files: plan.files };
}

/** `SELECT "a", "b" FROM "gold"."sales"."daily"`: the rows an export reads from its registered source. */
export function exportSelectSql(source: string, columns?: readonly string[]): string {
  const ref = parseTableName(source, 'source');
  return `SELECT ${columns && columns.length > 0 ? columns.map(sqlIdent).join(', ') : '*'} FROM ${tableSql(ref)}`;
}
