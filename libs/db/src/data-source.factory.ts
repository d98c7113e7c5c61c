import type { Pool } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

export interface ServiceDataSourceOptions {
  /** postgres://user:pass@host:port/db */
  url: string;
  /** The service's own schema, `ff_<service>` (docs/architecture.md, Services: one schema per service). */
  schema: string;

  entities: MixedList<Function | string | EntitySchema>;

  migrations: MixedList<Function | string>;
  /** Small on purpose: in embedded mode twelve services share one PostgreSQL server. */
  poolSize?: number;
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`FF_DB_SCHEMA: "${schema}" is not a valid schema name (lower-case letters, digits, _)`);
  }
}

export function serviceDataSourceOptions(opts: ServiceDataSourceOptions): DataSourceOptions {
  assertSchemaName(opts.schema);
  return {
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    // Lives inside the service schema (TypeORM prefixes it with `schema`), so services never collide.
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 2,
      idleTimeoutMillis: 30_000,
      application_name: opts.applicationName ?? opts.schema,
    },
  };
}

/** A TypeORM DataSource bound to one service schema; not initialised yet. */
export function createServiceDataSource(opts: ServiceDataSourceOptions): DataSource {
  return new DataSource(serviceDataSourceOptions(opts));
}

/**
 * The `pg` Pool TypeORM's postgres driver opened for `dataSource` (initialised). A service's stores run
 * their SQL and open their transactions on it (withTransaction), so a service holds one pool: the
 * connections TypeORM uses (migrations, readiness) and the stores' are the same `poolSize`.
 */
export function dataSourcePool(dataSource: DataSource): Pool {
  if (!dataSource.isInitialized || dataSource.options.type !== 'postgres') {
    throw new Error(
      `FF_DB_POOL: the DataSource must be an initialised postgres DataSource to share its pool (type ${dataSource.options.type}, initialised ${dataSource.isInitialized})`,
    );
  }
  return (dataSource.driver as PostgresDriver).master as Pool;
}

export interface MigrationReport {
  schema: string;
  applied: string[];
  ms: number;
}

/**
 * Creates the schema when missing, then runs pending migrations, each in its own transaction.
 * An advisory lock keyed by the schema serialises replicas that boot at the same time.
 */
export async function runMigrations(dataSource: DataSource): Promise<MigrationReport> {
  const started = Date.now();
  if (!dataSource.isInitialized) await dataSource.initialize();
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  assertSchemaName(schema);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [schemaMigrationLockKey(schema)]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { schema, applied: applied.map((m) => m.name), ms: Date.now() - started };
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`ff-migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Advisory-lock key under which every DDL on one schema runs (TypeORM migrations here, the Kafka bus's
 * outbox/inbox): CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent CREATE of the same schema.
 */
export function schemaMigrationLockKey(schema: string): string {
  return `ff-migrations:${schema}`;
}
