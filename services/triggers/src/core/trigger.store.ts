import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { SealedValue } from './secret-box';

export interface TriggerRecord {
  id: string;
  name: string;
  description: string | null;
  workflow: string;
  type: string;
  config: Record<string, unknown>;
  secrets: Record<string, SealedValue>;
  params: Record<string, string>;
  enabled: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface FiringRecord {
  id: string;
  triggerId: string;
  at: Date;
  payloadDigest: string;
  dedupKey: string | null;
  matched: boolean;
  reason: string;
  params: Record<string, string> | null;
  runId: string | null;
}

const T = `"ff_triggers"."triggers"`;
const F = `"ff_triggers"."firings"`;
const TRIGGER_COLUMNS = `id, name, description, workflow, type, config, secrets, params, enabled, version,
  created_at AS "createdAt", updated_at AS "updatedAt", created_by AS "createdBy", updated_by AS "updatedBy"`;
const FIRING_COLUMNS = `id, trigger_id AS "triggerId", at, payload_digest AS "payloadDigest", dedup_key AS "dedupKey", matched, reason, params, run_id AS "runId"`;

type Row = Record<string, unknown>;

/** ff_triggers: triggers, their firings, the runtime's leases and the file source's memory. Plain SQL on the caller's Queryable. */
@Injectable()
export class TriggerStore {
  async list(q: Queryable): Promise<TriggerRecord[]> {
    return (await q.query<Row>(`SELECT ${TRIGGER_COLUMNS} FROM ${T} ORDER BY name`)).rows as unknown as TriggerRecord[];
  }

  async byName(q: Queryable, name: string, lock = false): Promise<TriggerRecord | null> {
    const { rows } = await q.query<Row>(`SELECT ${TRIGGER_COLUMNS} FROM ${T} WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [name]);
    return (rows[0] as unknown as TriggerRecord) ?? null;
  }

  async byId(q: Queryable, id: string): Promise<TriggerRecord | null> {
    const { rows } = await q.query<Row>(`SELECT ${TRIGGER_COLUMNS} FROM ${T} WHERE id = $1`, [id]);
    return (rows[0] as unknown as TriggerRecord) ?? null;
  }

  async insert(q: Queryable, t: Omit<TriggerRecord, 'createdAt' | 'updatedAt' | 'version' | 'updatedBy'>): Promise<TriggerRecord> {
    const { rows } = await q.query<Row>(
      `INSERT INTO ${T} (id, name, description, workflow, type, config, secrets, params, enabled, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ${TRIGGER_COLUMNS}`,
      [t.id, t.name, t.description, t.workflow, t.type, JSON.stringify(t.config), JSON.stringify(t.secrets), JSON.stringify(t.params), t.enabled, t.createdBy],
    );
    return rows[0] as unknown as TriggerRecord;
  }

  async update(
    q: Queryable,
    id: string,
    t: Pick<TriggerRecord, 'description' | 'workflow' | 'type' | 'config' | 'secrets' | 'params' | 'enabled' | 'updatedBy'>,
  ): Promise<TriggerRecord> {
    const { rows } = await q.query<Row>(
      `UPDATE ${T} SET description = $2, workflow = $3, type = $4, config = $5, secrets = $6, params = $7, enabled = $8, updated_by = $9,
         version = version + 1, updated_at = now() WHERE id = $1 RETURNING ${TRIGGER_COLUMNS}`,
      [id, t.description, t.workflow, t.type, JSON.stringify(t.config), JSON.stringify(t.secrets), JSON.stringify(t.params), t.enabled, t.updatedBy],
    );
    return rows[0] as unknown as TriggerRecord;
  }

  async delete(q: Queryable, id: string): Promise<void> {
    await q.query(`DELETE FROM ${T} WHERE id = $1`, [id]);
  }

  /** Records a firing; null when the trigger already has one with this dedup key (nothing written). */
  async insertFiring(q: Queryable, f: Omit<FiringRecord, 'at'>): Promise<FiringRecord | null> {
    const { rows } = await q.query<Row>(
      `INSERT INTO ${F} (id, trigger_id, payload_digest, dedup_key, matched, reason, params, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (trigger_id, dedup_key) DO NOTHING RETURNING ${FIRING_COLUMNS}`,
      [f.id, f.triggerId, f.payloadDigest, f.dedupKey, f.matched, f.reason, f.params === null ? null : JSON.stringify(f.params), f.runId],
    );
    return (rows[0] as unknown as FiringRecord) ?? null;
  }

  async firingByKey(q: Queryable, triggerId: string, dedupKey: string): Promise<FiringRecord | null> {
    const { rows } = await q.query<Row>(`SELECT ${FIRING_COLUMNS} FROM ${F} WHERE trigger_id = $1 AND dedup_key = $2`, [triggerId, dedupKey]);
    return (rows[0] as unknown as FiringRecord) ?? null;
  }

  /** Newest first. */
  async firings(q: Queryable, triggerId: string, page: { limit: number; offset: number }): Promise<{ items: FiringRecord[]; total: number }> {
    const [items, total] = await Promise.all([
      q.query<Row>(`SELECT ${FIRING_COLUMNS} FROM ${F} WHERE trigger_id = $1 ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3`, [
        triggerId,
        page.limit,
        page.offset,
      ]),
      q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${F} WHERE trigger_id = $1`, [triggerId]),
    ]);
    return { items: items.rows as unknown as FiringRecord[], total: total.rows[0]!.n };
  }

  /** id and version of every enabled trigger: what the runtime should be running. */
  async enabled(q: Queryable): Promise<{ id: string; version: number }[]> {
    return (await q.query<{ id: string; version: number }>(`SELECT id, version FROM ${T} WHERE enabled ORDER BY id`)).rows;
  }

  /**
   * Takes or renews this replica's lease on each of `ids` that is free, expired or already its own, in one
   * statement; answers the ids it holds now.
   */
  async lease(q: Queryable, owner: string, ids: string[], seconds: number): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await q.query<{ id: string }>(
      `INSERT INTO "ff_triggers"."leases" (trigger_id, owner, expires_at)
       SELECT t.id, $1, now() + make_interval(secs => $3) FROM ${T} t WHERE t.id = ANY($2::uuid[]) AND t.enabled ORDER BY t.id
       ON CONFLICT (trigger_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE "ff_triggers"."leases".owner = EXCLUDED.owner OR "ff_triggers"."leases".expires_at < now()
       RETURNING trigger_id AS id`,
      [owner, ids, seconds],
    );
    return new Set(rows.map((r) => r.id));
  }

  async release(q: Queryable, owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await q.query(`DELETE FROM "ff_triggers"."leases" WHERE owner = $1 AND trigger_id = ANY($2::uuid[])`, [owner, ids]);
  }
}
