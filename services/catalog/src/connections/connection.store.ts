import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import type { SealedSecret } from '../secrets/secret-cipher';
import type { ConnectionType } from './connection-types';
import type { JsonObject } from './connection-config';

export interface ConnectionRecord {
  id: string;
  name: string;
  type: ConnectionType;
  description: string | null;
  /** The plain part: secret fields removed. */
  config: JsonObject;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredSecret extends SealedSecret {
  connectionId: string;
  field: string;
}

interface ConnectionRow extends Record<string, unknown> {
  id: string;
  name: string;
  type: ConnectionType;
  description: string | null;
  config: JsonObject;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface SecretRow extends Record<string, unknown> {
  connection_id: string;
  field: string;
  key_id: string;
  iv: Buffer;
  auth_tag: Buffer;
  ciphertext: Buffer;
}

const toRecord = (r: ConnectionRow): ConnectionRecord => ({
  id: r.id,
  name: r.name,
  type: r.type,
  description: r.description,
  config: r.config,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toSecret = (r: SecretRow): StoredSecret => ({
  connectionId: r.connection_id,
  field: r.field,
  keyId: r.key_id,
  iv: r.iv,
  authTag: r.auth_tag,
  ciphertext: r.ciphertext,
});

const COLUMNS = 'id, name, type, description, config, version, created_at, updated_at';

/** SQL over ff_catalog.connections and connection_secrets; every method takes the Queryable to run on (a transaction or the pool). */
@Injectable()
export class ConnectionStore {
  async list(q: Queryable, filter: { type?: ConnectionType; limit: number; offset: number }): Promise<ConnectionRecord[]> {
    const { rows } = await q.query<ConnectionRow>(
      `SELECT ${COLUMNS} FROM ff_catalog.connections WHERE ($1::text IS NULL OR type = $1) ORDER BY name LIMIT $2 OFFSET $3`,
      [filter.type ?? null, filter.limit, filter.offset],
    );
    return rows.map(toRecord);
  }

  async find(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<ConnectionRecord | null> {
    const { rows } = await q.query<ConnectionRow>(`SELECT ${COLUMNS} FROM ff_catalog.connections WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findByName(q: Queryable, name: string): Promise<ConnectionRecord | null> {
    const { rows } = await q.query<ConnectionRow>(`SELECT ${COLUMNS} FROM ff_catalog.connections WHERE name = $1`, [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async insert(q: Queryable, c: { id: string; name: string; type: ConnectionType; description: string | null; config: JsonObject }): Promise<ConnectionRecord> {
    const { rows } = await q.query<ConnectionRow>(
      `INSERT INTO ff_catalog.connections (id, name, type, description, config) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${COLUMNS}`,
      [c.id, c.name, c.type, c.description, JSON.stringify(c.config)],
    );
    return toRecord(rows[0]!);
  }

  async update(q: Queryable, id: string, c: { name: string; description: string | null; config: JsonObject }): Promise<ConnectionRecord> {
    const { rows } = await q.query<ConnectionRow>(
      `UPDATE ff_catalog.connections SET name = $2, description = $3, config = $4::jsonb, version = version + 1, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, c.name, c.description, JSON.stringify(c.config)],
    );
    return toRecord(rows[0]!);
  }

  async delete(q: Queryable, id: string): Promise<boolean> {
    const { rows } = await q.query(`DELETE FROM ff_catalog.connections WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  async secretsOf(q: Queryable, connectionId: string): Promise<StoredSecret[]> {
    const { rows } = await q.query<SecretRow>(
      `SELECT connection_id, field, key_id, iv, auth_tag, ciphertext FROM ff_catalog.connection_secrets WHERE connection_id = $1 ORDER BY field`,
      [connectionId],
    );
    return rows.map(toSecret);
  }

  /** Which secret fields are set, per connection (for placeholders; no ciphertext leaves the database). */
  async secretFieldsOf(q: Queryable, connectionIds: string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>(connectionIds.map((id) => [id, new Set<string>()]));
    if (connectionIds.length === 0) return out;
    const { rows } = await q.query<{ connection_id: string; field: string }>(
      `SELECT connection_id, field FROM ff_catalog.connection_secrets WHERE connection_id = ANY($1::uuid[])`,
      [connectionIds],
    );
    for (const r of rows) out.get(r.connection_id)?.add(r.field);
    return out;
  }

  /** Replaces the whole set of a connection's secrets (fresh IVs on every write). */
  async replaceSecrets(q: Queryable, connectionId: string, sealed: Record<string, SealedSecret>): Promise<void> {
    await q.query(`DELETE FROM ff_catalog.connection_secrets WHERE connection_id = $1`, [connectionId]);
    for (const [field, s] of Object.entries(sealed)) {
      await q.query(`INSERT INTO ff_catalog.connection_secrets (connection_id, field, key_id, iv, auth_tag, ciphertext) VALUES ($1, $2, $3, $4, $5, $6)`, [
        connectionId,
        field,
        s.keyId,
        s.iv,
        s.authTag,
        s.ciphertext,
      ]);
    }
  }

  /** Every secret row, locked: the rotation rewrites them all in one transaction. */
  async lockAllSecrets(q: Queryable): Promise<StoredSecret[]> {
    const { rows } = await q.query<SecretRow>(
      `SELECT connection_id, field, key_id, iv, auth_tag, ciphertext FROM ff_catalog.connection_secrets ORDER BY connection_id, field FOR UPDATE`,
    );
    return rows.map(toSecret);
  }

  async rewriteSecret(q: Queryable, s: StoredSecret): Promise<void> {
    await q.query(
      `UPDATE ff_catalog.connection_secrets SET key_id = $3, iv = $4, auth_tag = $5, ciphertext = $6, updated_at = now()
       WHERE connection_id = $1 AND field = $2`,
      [s.connectionId, s.field, s.keyId, s.iv, s.authTag, s.ciphertext],
    );
  }
}

/** The AAD bound to a secret: a ciphertext only decrypts on the row and field it was written for. */
export function secretContext(connectionId: string, field: string): string {
  return `connection/${connectionId}/${field}`;
}
