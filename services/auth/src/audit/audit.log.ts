import { Inject, Injectable } from '@nestjs/common';
import {
  AUDIT_FIELD_LIMITS as L,
  AuditChainVerifier,
  auditHash,
  GENESIS_HASH,
  storableAuditRecord,
  storableText,
  type AuditRecord,
  type ChainedAuditRecord,
} from '@flowforge/access';
import type { Queryable } from '@flowforge/db';
import type { Pool } from 'pg';
import { AUTH_POOL } from '../auth.database';

/** Serialises appends: each entry's hash covers the previous one, so two writers must not interleave. */
const CHAIN_LOCK = 'ff_auth.audit_log';

interface AuditRow extends Record<string, unknown> {
  seq: string;
  id: string;
  at: Date;
  service: string;
  actor_type: AuditRecord['actorType'];
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: AuditRecord['outcome'];
  status: number | null;
  ip: string | null;
  user_agent: string | null;
  trace_id: string | null;
  changes: unknown;
  prev_hash: string;
  hash: string;
}

const COLUMNS = `seq, id, at, service, actor_type, actor_id, actor_name, action, resource_type, resource_id, outcome, status, ip, user_agent, trace_id, changes, prev_hash, hash`;

function toEntry(r: AuditRow): ChainedAuditRecord {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: r.at.toISOString(),
    service: r.service,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    outcome: r.outcome,
    status: r.status,
    ip: r.ip,
    userAgent: r.user_agent,
    traceId: r.trace_id,
    changes: r.changes ?? null,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export type NewAuditRecord = Omit<AuditRecord, 'seq'>;

export interface AuditQuery {
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: string;
  since?: Date;
  until?: Date;
  afterSeq?: number;
  limit: number;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  lastSeq: number | null;
  brokenAt?: { seq: number | null; reason: string; message: string };
}

/**
 * The audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and hash-chained, so an
 * entry edited or deleted behind the service's back — by someone who disabled the trigger — breaks
 * the chain at that entry, which `verify` (and `flowforge audit verify`, recomputing on the client)
 * reports.
 */
@Injectable()
export class AuditLog {
  constructor(@Inject(AUTH_POOL) private readonly pool: Pool) {}

  /**
   * Appends in `tx` (the bus handler's transaction). An entry whose id is already there is skipped
   * (redelivery). Values are made storable before they are hashed (libs/access audit-storable), so the
   * row PostgreSQL keeps is exactly what the hash covers, and no NUL byte, lone surrogate or huge value
   * makes it refuse the entry. The chain lock serialises appends from every partition and process.
   */
  async append(tx: Queryable, records: NewAuditRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [CHAIN_LOCK]);
    const existing = await tx.query<{ id: string }>(`SELECT id FROM ff_auth.audit_log WHERE id = ANY($1::uuid[])`, [records.map((r) => r.id)]);
    const seen = new Set(existing.rows.map((r) => r.id));
    const head = await tx.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ff_auth.audit_log ORDER BY seq DESC LIMIT 1`);
    let seq = head.rows[0] ? Number(head.rows[0].seq) : 0;
    let prevHash = head.rows[0]?.hash ?? GENESIS_HASH;
    let appended = 0;
    for (const input of records) {
      if (seen.has(input.id)) continue;
      seen.add(input.id);
      seq += 1;
      const record: AuditRecord = { ...storableAuditRecord(input), seq };
      const hash = auditHash(prevHash, record);
      await tx.query(`INSERT INTO ff_auth.audit_log (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`, [
        seq,
        record.id,
        record.at,
        record.service,
        record.actorType,
        record.actorId,
        record.actorName,
        record.action,
        record.resourceType,
        record.resourceId,
        record.outcome,
        record.status,
        record.ip,
        record.userAgent,
        record.traceId,
        record.changes === null || record.changes === undefined ? null : JSON.stringify(record.changes),
        prevHash,
        hash,
      ]);
      prevHash = hash;
      appended += 1;
    }
    return appended;
  }

  /** Filters are made storable as the entries were, so a search for `a<NUL>b` finds the entry stored as `a\u0000b`. */
  async search(query: AuditQuery): Promise<ChainedAuditRecord[]> {
    const text = (v: string | undefined, max: number) => (v === undefined ? undefined : storableText(v, max));
    const q: AuditQuery = {
      ...query,
      actor: text(query.actor, L.actorId),
      action: text(query.action, L.action),
      resourceType: text(query.resourceType, L.resourceType),
      resourceId: text(query.resourceId, L.resourceId),
      outcome: text(query.outcome, 16),
    };
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.actor) add(`(actor_id = ? OR lower(actor_name) = lower($${params.length + 1}))`, q.actor);
    if (q.action) {
      if (q.action.endsWith('*')) add(`action LIKE ?`, `${q.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      else add(`action = ?`, q.action);
    }
    if (q.resourceType) add(`resource_type = ?`, q.resourceType);
    if (q.resourceId) add(`resource_id = ?`, q.resourceId);
    if (q.outcome) add(`outcome = ?`, q.outcome);
    if (q.since) add(`at >= ?`, q.since);
    if (q.until) add(`at < ?`, q.until);
    if (q.afterSeq !== undefined) add(`seq > ?`, q.afterSeq);
    params.push(q.limit);
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT ${COLUMNS} FROM ff_auth.audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT $${params.length}`,
      params,
    );
    return rows.map(toEntry);
  }

  /** Walks the whole chain from the first entry, page by page. */
  async verify(pageSize = 2000): Promise<AuditVerification> {
    const verifier = new AuditChainVerifier();
    let afterSeq = 0;
    for (;;) {
      const { rows } = await this.pool.query<AuditRow>(`SELECT ${COLUMNS} FROM ff_auth.audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, pageSize]);
      for (const row of rows) verifier.push(toEntry(row));
      const partial = verifier.result();
      if (!partial.ok || rows.length < pageSize) break;
      afterSeq = Number(rows[rows.length - 1]!.seq);
    }
    const result = verifier.result();
    return result.ok
      ? { ok: true, checked: result.checked, lastSeq: result.lastSeq ?? null }
      : { ok: false, checked: result.checked, lastSeq: null, brokenAt: result.brokenAt };
  }
}
