import { randomUUID } from 'node:crypto';
import { EngineError } from './engine.errors';

/** Medallion layers (docs/architecture.md, The lake); the same symbols as the AssetLayer Avro enum. */
export const LAKE_LAYERS = ['bronze', 'silver', 'gold'] as const;
export type LakeLayer = (typeof LAKE_LAYERS)[number];

export interface LakeTableRef {
  layer: LakeLayer;
  namespace: string;
  table: string;
}

/** Namespaces and tables are SQL-friendly identifiers: they name directories and, later, DuckDB views. */
export const LAKE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Attempt ids name one writer attempt's staging folder (a uuid, or run-step-attempt). */
export const ATTEMPT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function lakeNameProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  return LAKE_NAME.test(value) ? null : 'must be 1-63 lower-case letters, digits or "_", starting with a letter';
}

export function assertTableRef(ref: LakeTableRef): void {
  if (!(LAKE_LAYERS as readonly string[]).includes(ref.layer)) {
    throw new EngineError('FF_ENGINE_LAKE_PATH', `layer ${JSON.stringify(ref.layer)} must be one of ${LAKE_LAYERS.join(', ')}`);
  }
  for (const [field, value] of [
    ['namespace', ref.namespace],
    ['table', ref.table],
  ] as const) {
    const problem = lakeNameProblem(value);
    if (problem) throw new EngineError('FF_ENGINE_LAKE_PATH', `${field} ${JSON.stringify(value)} ${problem}`);
  }
}

/** `<layer>/<namespace>/<table>` */
export function tableRoot(ref: LakeTableRef): string {
  assertTableRef(ref);
  return `${ref.layer}/${ref.namespace}/${ref.table}`;
}

/** `<layer>/<namespace>/<table>/data/<attempt-id>/`: where one writer attempt stages its files. */
export function attemptPrefix(ref: LakeTableRef, attemptId: string): string {
  if (!ATTEMPT_ID.test(attemptId)) {
    throw new EngineError('FF_ENGINE_LAKE_PATH', `attempt id ${JSON.stringify(attemptId)} must be 1-128 letters, digits, ".", "_" or "-"`);
  }
  return `${tableRoot(ref)}/data/${attemptId}/`;
}

export function newAttemptId(): string {
  return randomUUID();
}

export interface LakeDataKey {
  ref: LakeTableRef;
  attemptId: string;
  /** File name inside the attempt folder, e.g. part-0.parquet. */
  file: string;
}

const DATA_KEY = /^(bronze|silver|gold)\/([^/]+)\/([^/]+)\/data\/([^/]+)\/([^/]+)$/;

/** Parses a data file key of the lake layout; null for anything else (foreign files are never touched). */
export function parseDataKey(key: string): LakeDataKey | null {
  const m = DATA_KEY.exec(key);
  if (!m) return null;
  const [, layer, namespace, table, attemptId, file] = m as unknown as [string, LakeLayer, string, string, string, string];
  if (!LAKE_NAME.test(namespace) || !LAKE_NAME.test(table) || !ATTEMPT_ID.test(attemptId)) return null;
  return { ref: { layer, namespace, table }, attemptId, file };
}
