import type { MigrationInterface, QueryRunner } from 'typeorm';

const FILE_AND_SERVICE_TYPES = `'postgres', 'mysql', 's3', 'local', 'sftp', 'http', 'kafka', 'gcs', 'azure', 'ftp', 'smb'`;

/**
 * The connection types of warehouse destinations (issue 14: the transformation service's `export` job):
 * redshift, synapse, snowflake and bigquery. The catalog validates each type's config in depth
 * (connections/connection-types.ts); the constraint is the last word. Down deletes the connections of
 * these types (their secrets go with them, ON DELETE CASCADE) and restores the list of 1766966400000.
 */
export class WarehouseConnectionTypes1768003200000 implements MigrationInterface {
  name = 'WarehouseConnectionTypes1768003200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_catalog"."connections" DROP CONSTRAINT IF EXISTS connections_type_check`);
    await q.query(
      `ALTER TABLE "ff_catalog"."connections" ADD CONSTRAINT connections_type_check
         CHECK (type IN (${FILE_AND_SERVICE_TYPES}, 'redshift', 'synapse', 'snowflake', 'bigquery'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "ff_catalog"."connections" WHERE type IN ('redshift', 'synapse', 'snowflake', 'bigquery')`);
    await q.query(`ALTER TABLE "ff_catalog"."connections" DROP CONSTRAINT IF EXISTS connections_type_check`);
    await q.query(`ALTER TABLE "ff_catalog"."connections" ADD CONSTRAINT connections_type_check CHECK (type IN (${FILE_AND_SERVICE_TYPES}))`);
  }
}
