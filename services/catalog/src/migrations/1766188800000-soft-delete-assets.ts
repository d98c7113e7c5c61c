import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Soft delete of assets: `deleted_at` hides the asset from lists and reads; its rows (snapshots, files,
 * schema history) and its files in the lake stay. The table's name is unique among live assets only, so
 * a commit to the same layer/namespace/table after the delete starts a new asset with a new id.
 */
export class SoftDeleteAssets1766188800000 implements MigrationInterface {
  name = 'SoftDeleteAssets1766188800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_catalog"."assets" ADD COLUMN deleted_at timestamptz`);
    await q.query(`ALTER TABLE "ff_catalog"."assets" DROP CONSTRAINT assets_table_key`);
    await q.query(`CREATE UNIQUE INDEX assets_live_table_key ON "ff_catalog"."assets" (layer, namespace, name) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "ff_catalog"."assets" WHERE deleted_at IS NOT NULL`);
    await q.query(`DROP INDEX IF EXISTS "ff_catalog"."assets_live_table_key"`);
    await q.query(`ALTER TABLE "ff_catalog"."assets" ADD CONSTRAINT assets_table_key UNIQUE (layer, namespace, name)`);
    await q.query(`ALTER TABLE "ff_catalog"."assets" DROP COLUMN IF EXISTS deleted_at`);
  }
}
