import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { BusTestEventDef } from '../testing';
import { PostgresEventBus } from './postgres-event-bus';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const TOPIC = 'flowforge.test.before-commit';

/**
 * EventContext.beforeCommit on the Postgres bus: work a handler registers runs in the batch's
 * transaction after its last handler and before the offset commits; when that work fails, the events
 * before the last one handled commit and the last one is retried alone — nothing is done twice.
 */
describe('PostgresEventBus: EventContext.beforeCommit', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: PostgresEventBus;

  beforeAll(async () => {
    db = await createTestDatabase('ff_bus_bc');
    pool = new Pool({ connectionString: db.url, max: 6 });
    pool.on('error', () => undefined);
    const registry = new PostgresSchemaRegistry({ pool });
    await registry.migrate();
    bus = new PostgresEventBus({
      pool,
      codec: new AvroCodec(registry),
      producer: 'test',
      pollIntervalMs: 100,
      retentionIntervalMs: 0,
      logger: quiet,
      metrics: new Registry(),
    });
    await bus.migrate();
    await pool.query('CREATE TABLE bc_effects (seq int NOT NULL, what text NOT NULL)');
  });

  afterAll(async () => {
    await bus?.close();
    await pool?.end();
    await db?.drop();
  });

  it('runs the registered work after the last handler of the transaction; a failure there retries the last event alone', async () => {
    await bus.ensureTopic(TOPIC, { partitions: 1 });
    // Published before anyone consumes: the first fetch hands all ten to one transaction.
    await bus.publishMany(
      BusTestEventDef,
      Array.from({ length: 10 }, (_, seq) => ({ key: 'k', event: { seq, key: 'k' } })),
      { topic: TOPIC },
    );
    const order: string[] = [];
    let failOnce = true;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const sub = await bus.subscribe(BusTestEventDef, { group: 'bc', topic: TOPIC, backoffMs: 10 }, async (ev, ctx) => {
      order.push(`handle ${ev.seq}`);
      await ctx.tx.query(`INSERT INTO bc_effects (seq, what) VALUES ($1, 'handled')`, [ev.seq]);
      ctx.beforeCommit!(async () => {
        order.push(`work ${ev.seq}`);
        if (ev.seq === 9 && failOnce) {
          failOnce = false;
          throw new Error('the work failed once');
        }
        await ctx.tx.query(`INSERT INTO bc_effects (seq, what) VALUES ($1, 'work')`, [ev.seq]);
        if (ev.seq === 9) done();
      });
    });
    await finished;
    await sub.close();

    const range = (n: number, what: string) => Array.from({ length: n }, (_, i) => `${what} ${i}`);
    expect(order).toEqual([
      ...range(10, 'handle'),
      ...range(10, 'work'), // 'work 9' threw: everything rolled back
      ...range(9, 'handle'), // the events before the last one handled, committed as a batch
      ...range(9, 'work'),
      'handle 9', // then the last one alone, its second attempt
      'work 9',
    ]);
    const { rows } = await pool.query<{ seq: number; what: string; n: number }>(
      'SELECT seq, what, count(*)::int AS n FROM bc_effects GROUP BY seq, what ORDER BY what, seq',
    );
    expect(rows).toEqual([
      ...Array.from({ length: 10 }, (_, seq) => ({ seq, what: 'handled', n: 1 })),
      ...Array.from({ length: 10 }, (_, seq) => ({ seq, what: 'work', n: 1 })),
    ]);
  });
});
