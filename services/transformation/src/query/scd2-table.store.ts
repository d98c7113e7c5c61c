import type { Pool } from 'pg';
import type { Scd2Columns } from '@flowforge/transform';

/** ff_transformation.scd2_tables: the validity columns of each SCD2 dimension this service wrote (the as-of query reads them). */
export class Scd2TableStore {
  constructor(private readonly pool: Pool) {}

  async record(assetId: string, table: string, columns: Scd2Columns): Promise<void> {
    await this.pool.query(
      `INSERT INTO ff_transformation.scd2_tables (asset_id, table_name, columns) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (asset_id) DO UPDATE SET table_name = EXCLUDED.table_name, columns = EXCLUDED.columns, updated_at = now()`,
      [assetId, table, JSON.stringify(columns)],
    );
  }

  async find(assetId: string): Promise<{ table: string; columns: Scd2Columns } | null> {
    const { rows } = await this.pool.query<{ table_name: string; columns: Scd2Columns }>(
      `SELECT table_name, columns FROM ff_transformation.scd2_tables WHERE asset_id = $1`,
      [assetId],
    );
    return rows[0] ? { table: rows[0].table_name, columns: rows[0].columns } : null;
  }
}
