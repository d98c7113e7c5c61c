import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each snapshot was made from (issue 14): the source files an ingestion read (`inputs`, until now only
 * carried by AssetCommitted) and the lake snapshots a transformation read (`source_snapshots`), kept with
 * the snapshot so a result can be reproduced and lineage rebuilt from the catalog alone.
 */
export class SnapshotInputs1767830400000 implements MigrationInterface {
  name = 'SnapshotInputs1767830400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_catalog"."snapshots" ADD COLUMN inputs jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`ALTER TABLE "ff_catalog"."snapshots" ADD COLUMN source_snapshots jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "ff_catalog"."snapshots" DROP COLUMN IF EXISTS source_snapshots`);
    await q.query(`ALTER TABLE "ff_catalog"."snapshots" DROP COLUMN IF EXISTS inputs`);
  }
}
