import type { CdcCondition, CdcConfig } from './cdc.config';
import { rowOf, type CdcChange } from './debezium-envelope.parser';

function numeric(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/**
 * Equal as a user means it: decimals arrive as strings (decimal.handling.mode=string) and compare with
 * numbers numerically; MariaDB's booleans are tinyint 0/1.
 */
function same(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof b === 'boolean' && typeof a === 'number') return (a !== 0) === b;
  if (typeof a === 'boolean' && typeof b === 'number') return (b !== 0) === a;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== null && nb !== null) return na === nb;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a as string) === String(b as string);
}

function order(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== null && nb !== null) return na - nb;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

const show = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

/** Whether one change satisfies the condition, and why not. `changed` needs the row before the update. */
export function checkCondition(cond: CdcCondition, change: Pick<CdcChange, 'operation' | 'before' | 'after'>): { matched: boolean; reason: string } {
  const col = cond.column;
  if (cond.op === 'changed') {
    if (change.operation !== 'update') return { matched: true, reason: `${change.operation} changes "${col}"` };
    if (!change.before) return { matched: false, reason: `"${col}": the row before the update is unknown (PostgreSQL: REPLICA IDENTITY FULL)` };
    const changed = !same(change.before[col], change.after?.[col]);
    return { matched: changed, reason: changed ? `"${col}" changed` : `"${col}" did not change` };
  }
  const row = rowOf(change);
  if (!row || !(col in row)) return { matched: false, reason: `the row has no column "${col}"` };
  const actual = row[col];
  let matched: boolean;
  switch (cond.op) {
    case 'eq':
      matched = same(actual, cond.value);
      break;
    case 'ne':
      matched = !same(actual, cond.value);
      break;
    case 'gt':
    case 'lt': {
      const o = order(actual, cond.value);
      matched = o !== null && (cond.op === 'gt' ? o > 0 : o < 0);
      break;
    }
    case 'in':
      matched = Array.isArray(cond.value) && cond.value.some((v) => same(actual, v));
      break;
  }
  return { matched, reason: `"${col}" is ${show(actual)}, wanted ${cond.op} ${show(cond.value)}` };
}

/** Whether a change passes the trigger's table, operation and condition filters. */
export function acceptChange(config: Pick<CdcConfig, 'tables' | 'operations' | 'condition'>, change: CdcChange): { matched: boolean; reason: string } {
  if (!config.tables.includes(change.table)) return { matched: false, reason: `table ${change.table} is not one of ${config.tables.join(', ')}` };
  if (!config.operations.includes(change.operation))
    return { matched: false, reason: `operation is ${change.operation}, wanted ${config.operations.join('|')}` };
  if (config.condition) return checkCondition(config.condition, change);
  return { matched: true, reason: `${change.operation} on ${change.table}` };
}
