import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { PutSqlTemplateRequest } from '@flowforge/http';
import { FlowForgeError, servicePoolToken } from '@flowforge/service-kit';

export interface SqlTemplateView {
  name: string;
  description: string;
  sql: string;
  params: PutSqlTemplateRequest['params'];
  version: number;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = 'name, description, sql, params, version, created_by, updated_by, created_at, updated_at';

const view = (r: Record<string, unknown>): SqlTemplateView => ({
  name: r.name as string,
  description: r.description as string,
  sql: r.sql as string,
  params: r.params as SqlTemplateView['params'],
  version: Number(r.version),
  createdBy: (r.created_by as string | null) ?? null,
  updatedBy: (r.updated_by as string | null) ?? null,
  createdAt: (r.created_at as Date).toISOString(),
  updatedAt: (r.updated_at as Date).toISOString(),
});

export const templateNotFound = (name: string) => new FlowForgeError('FF_SQL_TEMPLATE_NOT_FOUND', 404, 'Not Found', `there is no SQL template "${name}"`);

/** Saved custom-SQL templates in ff_transformation.sql_templates (a PUT replaces and bumps the version). */
@Injectable()
export class SqlTemplateStore {
  constructor(@Inject(servicePoolToken('transformation')) private readonly pool: Pool) {}

  async list(): Promise<SqlTemplateView[]> {
    const { rows } = await this.pool.query(`SELECT ${COLUMNS} FROM ff_transformation.sql_templates ORDER BY name LIMIT 1000`);
    return rows.map(view);
  }

  async get(name: string): Promise<SqlTemplateView> {
    const { rows } = await this.pool.query(`SELECT ${COLUMNS} FROM ff_transformation.sql_templates WHERE name = $1`, [name]);
    if (!rows[0]) throw templateNotFound(name);
    return view(rows[0]);
  }

  async exists(name: string): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM ff_transformation.sql_templates WHERE name = $1`, [name]);
    return rows.length > 0;
  }

  /** Creates or replaces; `created` tells which. */
  async put(name: string, t: PutSqlTemplateRequest, by: string | null): Promise<{ created: boolean; template: SqlTemplateView }> {
    const { rows } = await this.pool.query(
      `INSERT INTO ff_transformation.sql_templates (name, description, sql, params, created_by, updated_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $5)
       ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, sql = EXCLUDED.sql, params = EXCLUDED.params,
         version = sql_templates.version + 1, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [name, t.description, t.sql, JSON.stringify(t.params), by],
    );
    return { created: rows[0]!.created as boolean, template: view(rows[0]!) };
  }

  async delete(name: string): Promise<void> {
    const { rowCount } = await this.pool.query(`DELETE FROM ff_transformation.sql_templates WHERE name = $1`, [name]);
    if (!rowCount) throw templateNotFound(name);
  }
}
