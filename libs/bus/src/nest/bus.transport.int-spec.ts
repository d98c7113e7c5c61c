import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { AvroCodec, PostgresSchemaRegistry } from '@flowforge/contracts';
import { createTestDatabase, type TestDatabase } from '@flowforge/testing';
import { DeadLetterHeaders } from '../event-bus.port';
import { PostgresEventBus } from '../postgres/postgres-event-bus';
import { BusTestEventDef, type BusTestEvent } from '../testing';
import { BusExceptionFilter } from './bus-exception.filter';
import { BusContext } from './bus.context';
import { BusTransport } from './bus.transport';
import { OnEvent } from './on-event.decorator';

jest.setTimeout(60_000);

const TOPIC = 'flowforge.test.nest';
const received: { event: BusTestEvent; attempt: number; txWorks: boolean }[] = [];
let failures = 0;

// Two "service modules" handling the same topic in one embedded app, each under its own group.
@Controller()
class AuditHandlers {
  @OnEvent(BusTestEventDef, { group: 'audit', topic: TOPIC })
  async onEvent(@Payload() event: BusTestEvent, @Ctx() ctx: BusContext): Promise<void> {
    const { rows } = await ctx.getTx().query<{ one: number }>('SELECT 1 AS one');
    received.push({ event, attempt: ctx.getAttempt(), txWorks: rows[0]?.one === 1 });
  }
}

@Controller()
class BillingHandlers {
  @OnEvent(BusTestEventDef, { group: 'billing', topic: TOPIC, maxAttempts: 2, backoffMs: 10 })
  async onEvent(@Payload() event: BusTestEvent): Promise<void> {
    failures++;
    throw Object.assign(new Error(`billing cannot handle seq ${event.seq}`), { code: 'BILLING_DOWN' });
  }
}

// Every replica of the app hears these (revocations, cache invalidations): a broadcast subscription.
const broadcastSeqs: number[] = [];
@Controller()
class SessionHandlers {
  @OnEvent(BusTestEventDef, { group: 'sessions', topic: TOPIC, broadcast: true, maxBackoffMs: 50, maxRetryMs: 1_000 })
  async onEvent(@Payload() event: BusTestEvent): Promise<void> {
    broadcastSeqs.push(event.seq);
  }
}

describe('BusTransport (Nest custom transport over the EventBus)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: PostgresEventBus;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase('ff_bus_nest');
    pool = new Pool({ connectionString: db.url, max: 10 });
    // The pool's owner listens for idle-client errors (pg's rule): a connection ended by DROP DATABASE in
    // afterAll must not crash the suite.
    pool.on('error', () => undefined);
    const registry = new PostgresSchemaRegistry({ pool });
    await registry.migrate();
    bus = new PostgresEventBus({
      pool,
      codec: new AvroCodec(registry),
      producer: 'nest-test',
      pollIntervalMs: 100,
      leaseMs: 1000,
      retentionIntervalMs: 0,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: new Registry(),
    });
    await bus.migrate();
    const moduleRef = await Test.createTestingModule({ controllers: [AuditHandlers, BillingHandlers, SessionHandlers] }).compile();
    moduleRef.useLogger(false);
    app = moduleRef.createNestApplication({ logger: false });
    // deferInitialization: listeners are bound at start, after the filter is registered.
    app.connectMicroservice({ strategy: new BusTransport(bus) }, { deferInitialization: true }).useGlobalFilters(new BusExceptionFilter());
    await app.startAllMicroservices();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await pool?.end();
    await db?.drop();
  });

  it('delivers a published event to the @OnEvent handler with the bus context, and dead-letters a throwing handler', async () => {
    const published = await bus.publish(BusTestEventDef, { seq: 7, key: 'k' }, { key: 'k', topic: TOPIC });
    const deadline = Date.now() + 20_000;
    let dlq: { headers: Record<string, string> }[] = [];
    while ((received.length === 0 || dlq.length === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      dlq = (await pool.query<{ headers: Record<string, string> }>(`SELECT headers FROM ff_bus.log WHERE topic = $1`, [`${TOPIC}.dlq`])).rows;
    }
    expect(received).toHaveLength(1);
    expect(received[0]!.event.eventId).toBe(published.eventId);
    expect(received[0]!.event.seq).toBe(7);
    expect(received[0]!.attempt).toBe(1);
    expect(received[0]!.txWorks).toBe(true);
    expect(failures).toBe(2);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers[DeadLetterHeaders.group]).toBe('billing');
    expect(dlq[0]!.headers[DeadLetterHeaders.error]).toContain('billing cannot handle seq 7');
    expect(dlq[0]!.headers[DeadLetterHeaders.errorCode]).toBe('BILLING_DOWN');
    expect(dlq[0]!.headers[DeadLetterHeaders.attempts]).toBe('2');
  });

  it("passes broadcast and the retry bounds of @OnEvent to the bus: the group is the replica's own, under the prefix", async () => {
    const { rows } = await pool.query<{ group_id: string }>(`SELECT group_id FROM ff_bus.broadcast_groups WHERE topic = $1`, [TOPIC]);
    expect(rows.map((r) => r.group_id)).toEqual([expect.stringMatching(/^sessions\.bcast-[0-9a-f]{12}$/)]);
    await bus.publish(BusTestEventDef, { seq: 8, key: 'k' }, { key: 'k', topic: TOPIC });
    const deadline = Date.now() + 20_000;
    while (!broadcastSeqs.includes(8) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    // Seq 7 (the case above) was published after the app started, so this replica heard it too.
    expect(broadcastSeqs).toEqual([7, 8]);
    await expect(bus.subscribe(BusTestEventDef, { group: 'x', topic: TOPIC, maxRetryMs: -5 }, async () => undefined)).rejects.toThrow(
      /FF_BUS_INVALID_OPTIONS: maxRetryMs/,
    );
  });
});
