import type { FiringRecord, TriggerRecord } from './trigger.store';

export interface TriggerView {
  id: string;
  name: string;
  description: string | null;
  workflow: string;
  type: string;
  /** The type's settings; each secret field shows only `{ "set": true }`. */
  config: Record<string, unknown>;
  params: Record<string, string>;
  enabled: boolean;
  version: number;
  /** Webhook triggers: where to POST events (relative to the gateway). */
  hookPath: string | null;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface FiringView {
  id: string;
  at: string;
  payloadDigest: string;
  dedupKey: string | null;
  matched: boolean;
  reason: string;
  params: Record<string, string> | null;
  runId: string | null;
}

export function triggerView(t: TriggerRecord): TriggerView {
  const config: Record<string, unknown> = { ...t.config };
  for (const field of Object.keys(t.secrets)) config[field] = { set: true };
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    workflow: t.workflow,
    type: t.type,
    config,
    params: t.params,
    enabled: t.enabled,
    version: t.version,
    hookPath: t.type === 'webhook' ? `/api/v1/hooks/${t.id}` : null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    createdBy: t.createdBy,
    updatedBy: t.updatedBy,
  };
}

export function firingView(f: FiringRecord): FiringView {
  return {
    id: f.id,
    at: f.at.toISOString(),
    payloadDigest: f.payloadDigest,
    dedupKey: f.dedupKey,
    matched: f.matched,
    reason: f.reason,
    params: f.params,
    runId: f.runId,
  };
}
