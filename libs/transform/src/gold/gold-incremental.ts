import { createHash } from 'node:crypto';
import { tableName } from '../relations';
import { goldAggregateInputs, normalizeGoldAggregateConfig } from './gold-aggregate.compiler';
import type { GoldAggregateConfig } from './gold-aggregate.schema';

/**
 * When a `gold.aggregate` run may refresh incrementally (libs/transform/README.md, "Incremental refresh").
 * The runner records a GoldRefreshBasis with each gold commit and, at the next run, asks
 * `incrementalAllowed`; on `allowed: false` it compiles without `incremental` (a full refresh).
 */

/** What a gold commit was computed from: recorded by the runner with the commit, read back at the next run. */
export interface GoldRefreshBasis {
  /** goldAggregateFingerprint(config) of the run that wrote the gold rows. */
  fingerprint: string;
  /** The snapshot id of each input it read, by table name (`silver.sales.orders`). */
  snapshots: Record<string, string>;
}

/** What the runner knows about the inputs now. */
export interface GoldRefreshCurrent {
  /** The snapshot id of each input it is about to read, by table name. */
  snapshots: Record<string, string>;
  /**
   * Whether the fact's current snapshot is its basis snapshot plus added files only (every commit in
   * between an append: no delete, overwrite, compaction or schema change). Only the catalog knows.
   */
  factIsAppendOfBasis: boolean;
}

export type IncrementalDecision =
  | { allowed: true; /** The fact has no new snapshot: the previous rows are already right. */ upToDate: boolean }
  | { allowed: false; /** Why a full refresh is needed (for the run's log). */ reason: string };

/**
 * A digest of everything that shapes the gold rows (the config with its defaults, except `mode`: switching
 * replace → incremental keeps the rows valid). Another fingerprint means the previous rows are not this
 * job's and cannot be carried over.
 */
export function goldAggregateFingerprint(config: GoldAggregateConfig): string {
  const { mode: _mode, ...rest } = normalizeGoldAggregateConfig(config);
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** JSON with object keys sorted, so equal configs give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Whether the run may compile an incremental refresh: the job is in incremental mode, the previous gold
 * rows were written by this same config (fingerprint), every dimension is at the snapshot they were
 * computed from (a changed dimension can move facts between groups of any bucket), and the fact only
 * grew by appends since. Anything else: a full refresh, with the reason.
 */
export function incrementalAllowed(config: GoldAggregateConfig, basis: GoldRefreshBasis | undefined, current: GoldRefreshCurrent): IncrementalDecision {
  if ((config.mode ?? 'replace') !== 'incremental') return { allowed: false, reason: 'the job is in replace mode' };
  if (!basis) return { allowed: false, reason: 'no previous refresh of this job to build on (first run, or the gold table was written by something else)' };
  if (basis.fingerprint !== goldAggregateFingerprint(config)) return { allowed: false, reason: 'the job config changed since the previous refresh' };
  const [fact, ...dims] = goldAggregateInputs(config).map(tableName);
  for (const dim of dims) {
    if (basis.snapshots[dim] === undefined || basis.snapshots[dim] !== current.snapshots[dim]) {
      return {
        allowed: false,
        reason: `dimension ${dim} changed since the previous refresh (snapshot ${basis.snapshots[dim] ?? 'none'} → ${current.snapshots[dim] ?? 'none'})`,
      };
    }
  }
  const before = basis.snapshots[fact!];
  const now = current.snapshots[fact!];
  if (before === undefined || now === undefined) return { allowed: false, reason: `no snapshot of the fact ${fact} recorded` };
  if (before === now) return { allowed: true, upToDate: true };
  if (!current.factIsAppendOfBasis) return { allowed: false, reason: `the fact ${fact} changed other than by appends since snapshot ${before}` };
  return { allowed: true, upToDate: false };
}
