import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The connection types of file locations (issue 12): gcs and azure, and ftp and smb, added in parallel by
 * another branch, so that whichever of the two migrations runs last the constraint admits all of them. The
 * catalog validates each type's config in depth (connection-types.ts); the constraint is the last word.
 */
export class FileConnectionTypes1766966400000 implements MigrationInterface {
  name = 'FileConnectionTypes1766966400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_catalog"."connections" DROP CONSTRAINT IF EXISTS connections_type_check`);
    await q.query(
      `ALTER TABLE "ff_catalog"."connections" ADD CONSTRAINT connections_type_check
         CHECK (type IN ('postgres', 'mysql', 's3', 'local', 'sftp', 'http', 'kafka', 'gcs', 'azure', 'ftp', 'smb'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "ff_catalog"."connections" WHERE type IN ('gcs', 'azure', 'ftp', 'smb')`);
    await q.query(`ALTER TABLE "ff_catalog"."connections" DROP CONSTRAINT IF EXISTS connections_type_check`);
    await q.query(
      `ALTER TABLE "ff_catalog"."connections" ADD CONSTRAINT connections_type_check CHECK (type IN ('postgres', 'mysql', 's3', 'local', 'sftp', 'http', 'kafka'))`,
    );
  }
}
