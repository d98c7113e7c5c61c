import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { createServiceDataSource, dataSourcePool, runMigrations } from './data-source.factory';
import { createPgPool, withTransaction } from './pool.factory';

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "ff_widgets"."widgets" (id int PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "ff_widgets"."widgets"`);
  }
}

describe('service data source', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('ff_db');
  });
  afterAll(async () => db.drop());

  it('creates the schema, runs pending migrations once and keeps its history inside the schema', async () => {
    const make = () => createServiceDataSource({ url: db.url, schema: 'ff_widgets', entities: [], migrations: [CreateWidgets1700000000000] });
    const first = make();
    expect((await runMigrations(first)).applied).toEqual(['CreateWidgets1700000000000']);
    await first.destroy();
    // Two replicas booting at once: the advisory lock serialises them, nothing is applied twice.
    const [a, b] = [make(), make()];
    const reports = await Promise.all([runMigrations(a), runMigrations(b)]);
    expect(reports.map((r) => r.applied)).toEqual([[], []]);
    const rows = await a.query(`SELECT name FROM "ff_widgets"."typeorm_migrations"`);
    expect(rows).toEqual([{ name: 'CreateWidgets1700000000000' }]);
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('refuses a schema name that could inject SQL', () => {
    expect(() => createServiceDataSource({ url: db.url, schema: 'x"; drop', entities: [], migrations: [] })).toThrow(/FF_DB_SCHEMA/);
  });

  it("shares the DataSource's own pool: TypeORM and the stores' SQL draw on the same poolSize connections", async () => {
    // 2: runMigrations holds one connection for its lock while TypeORM migrates on another.
    const dataSource = createServiceDataSource({
      url: db.url,
      schema: 'ff_shared',
      entities: [],
      migrations: [],
      poolSize: 2,
      applicationName: 'ff-shared-pool',
    });
    expect(() => dataSourcePool(dataSource)).toThrow(/FF_DB_POOL/);
    await runMigrations(dataSource);
    const pool = dataSourcePool(dataSource);
    try {
      expect(pool.options.max).toBe(2);
      const held = [await pool.connect(), await pool.connect()];
      // Both connections are checked out: TypeORM's own query has to queue for one on the same pool.
      const typeorm = dataSource.query(`SELECT current_setting('application_name') AS app`);
      while (pool.waitingCount === 0) await new Promise((r) => setImmediate(r));
      expect(pool.totalCount).toBe(2);
      for (const client of held) client.release();
      expect(await typeorm).toEqual([{ app: 'ff-shared-pool' }]);
      await withTransaction(pool, (tx) => tx.query('SELECT 1'));
      expect(pool.totalCount).toBe(2);
    } finally {
      await dataSource.destroy();
    }
    // The DataSource owns the pool: destroying it ends the stores' pool too.
    expect(pool.ended).toBe(true);
  });

  it('withTransaction commits on success and rolls back on error', async () => {
    const pool = createPgPool({ url: db.url, max: 2 });
    try {
      await pool.query('CREATE TABLE t (v int)');
      await withTransaction(pool, (tx) => tx.query('INSERT INTO t VALUES (1)'));
      await expect(
        withTransaction(pool, async (tx) => {
          await tx.query('INSERT INTO t VALUES (2)');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await pool.query('SELECT v FROM t')).rows).toEqual([{ v: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
