import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { EventBus } from '@flowforge/bus';
import type { EventDefinition, EventEnvelope } from '@flowforge/contracts';
import { createPgPool } from '@flowforge/db';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { createLogger } from '../logging/logger';
import { createPostgresBus } from './bus.factory';

jest.setTimeout(60_000);

interface Ping extends EventEnvelope {
  n: number;
}

/** An event definition never seen before: its first publish looks its schema up and creates its topic. */
function freshDefinition(): EventDefinition<Ping> {
  const id = randomUUID().slice(0, 8);
  return {
    name: `io.flowforge.test.Ping${id}`,
    topic: `flowforge.test.meta.${id}`,
    subject: `flowforge.test.meta.${id}-value`,
    version: 1,
    schema: {
      type: 'record',
      name: `Ping${id}`,
      namespace: 'io.flowforge.test',
      fields: [
        { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'producer', type: 'string' },
        { name: 'traceparent', type: ['null', 'string'], default: null },
        { name: 'schemaVersion', type: 'int' },
        { name: 'n', type: 'int' },
      ],
    },
  };
}

const quiet = createLogger({ service: 'test', level: 'silent' });
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([p, new Promise<'timed out'>((r) => setTimeout(() => r('timed out'), ms))]);

/**
 * The first publish of an event inside a transaction looks its schema up in the registry and creates its
 * topic. When those lookups shared the bus's pool, transactions holding every connection of it and each
 * publishing a new event waited for a connection none would give back: a hang the database cannot see
 * (services/orchestrator/src/runs/run-load.int-spec.ts hung so under load). The bus factory gives them a
 * pool of their own (metadataPool).
 */
describe('createPostgresBus: first-use lookups inside transactions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('ff_bus_meta');
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function publishFromEveryConnection(withMetadataPool: boolean): Promise<'published' | 'timed out'> {
    const pool = createPgPool({ url: db.url, max: 2 });
    const metadataPool = withMetadataPool ? createPgPool({ url: db.url, max: 2 }) : undefined;
    let bus: EventBus | undefined;
    const clients: PoolClient[] = [];
    try {
      bus = await createPostgresBus({ pool, metadataPool, logger: quiet, producer: 'test' });
      const def = freshDefinition();
      // Every connection of the bus's pool is in a transaction, and each publishes the new event.
      for (let i = 0; i < 2; i++) {
        const c = await pool.connect();
        await c.query('BEGIN');
        clients.push(c);
      }
      const published = Promise.all(clients.map((tx, n) => bus!.publish(def, { n }, { key: `k${n}`, tx })));
      published.catch(() => undefined);
      const outcome = await within(published, 5_000);
      if (outcome === 'timed out') return outcome;
      for (const c of clients) await c.query('COMMIT');
      return 'published';
    } finally {
      for (const c of clients.splice(0)) c.release(true);
      await bus?.close().catch(() => undefined);
      await Promise.all([pool.end().catch(() => undefined), metadataPool?.end().catch(() => undefined)]);
    }
  }

  it('publishes when transactions hold every connection of the bus pool (lookups on the metadata pool)', async () => {
    expect(await publishFromEveryConnection(true)).toBe('published');
  });

  it('control: with the lookups on the bus pool itself, the same publishes wait forever', async () => {
    expect(await publishFromEveryConnection(false)).toBe('timed out');
  });
});
