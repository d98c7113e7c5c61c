import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { createTestDatabase, requireStack, type TestDatabase } from '@flowforge/testing';
import type { FireOutcome, SourceEvent, SourceHandle, TriggerSpec } from '../core/event-source';
import type { CdcBatchPayload } from './cdc-batch.window';
import type { CdcConnection } from './cdc-connection.port';
import { cdcConfigSchema, type CdcConfig } from './cdc.config';
import { cdcNames } from './debezium-connector.factory';
import { CdcSource } from './cdc.source';

const pgStack = requireStack('cdc trigger source on PostgreSQL (Debezium)', ['postgresUrl', 'kafkaBrokers', 'kafkaConnectUrl']);
const mariaStack = requireStack('cdc trigger source on MariaDB (Debezium)', ['kafkaBrokers', 'kafkaConnectUrl', 'mariadbUrl']);

jest.setTimeout(120_000);

/** A recording emit: every event, with when it arrived. */
function recorder(fail = false) {
  const events: { event: SourceEvent; at: number }[] = [];
  const emit = async (event: SourceEvent): Promise<FireOutcome> => {
    events.push({ event, at: Date.now() });
    if (fail) throw new Error('the trigger core is down');
    return { firingId: randomUUID(), matched: true, reason: 'recorded', runId: null };
  };
  const payloads = () => events.map((e) => e.event.payload as CdcBatchPayload);
  async function waitFor(n: number, timeoutMs = 20_000): Promise<CdcBatchPayload[]> {
    const deadline = Date.now() + timeoutMs;
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${n} emits, got ${events.length}: ${JSON.stringify(payloads())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return payloads();
  }
  return { events, emit, payloads, waitFor };
}

function trigger(config: Partial<CdcConfig> & Pick<CdcConfig, 'connection' | 'tables'>): TriggerSpec<CdcConfig> {
  return { id: randomUUID(), name: 'cdc test', workflow: 'wf', type: 'cdc', config: cdcConfigSchema.parse(config) };
}

async function connectorStatus(url: string, name: string): Promise<number> {
  return (await fetch(`${url}/connectors/${name}`)).status;
}

const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

(pgStack ? describe : describe.skip)('cdc source on PostgreSQL through Debezium', () => {
  const stack = pgStack!;
  let db: TestDatabase;
  let pg: Client;
  let source: CdcSource;
  const connections = new Map<string, CdcConnection>();
  const started: TriggerSpec<CdcConfig>[] = [];
  const handles: SourceHandle[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ff_cdc');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query('create table orders (id int primary key, status text not null, amount numeric(10,2))');
    await pg.query('create table audit (id int primary key, note text)');
    const u = new URL(db.url);
    connections.set('shop', { type: 'postgres', host: u.hostname, port: Number(u.port || 5432), database: db.name, user: decodeURIComponent(u.username) });
    connections.set('nobody', {
      type: 'postgres',
      host: u.hostname,
      port: Number(u.port || 5432),
      database: db.name,
      user: 'no_such_role_cdc',
      password: 'pw-Secret-9',
    });
    source = new CdcSource({
      connectUrl: stack.kafkaConnectUrl,
      kafkaBrokers: stack.kafkaBrokers!,
      resolver: {
        resolve: async (name) => {
          const c = connections.get(name);
          if (!c) throw new Error(`no connection ${name}`);
          return c;
        },
      },
      retryMs: 100,
    });
  });

  afterAll(async () => {
    for (const h of handles) await h.stop();
    for (const t of started) await source.remove(t).catch(() => undefined);
    // A slot left by a failed test would keep the database from being dropped.
    await pg
      ?.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1 and not active', [db.name])
      .catch(() => undefined);
    await pg?.end();
    await db?.drop();
  });

  async function startTrigger(t: TriggerSpec<CdcConfig>, emit: (e: SourceEvent) => Promise<FireOutcome>): Promise<SourceHandle> {
    started.push(t);
    const h = await source.start(t, emit);
    handles.push(h);
    return h;
  }

  it('an insert fires one batch naming its keys within seconds; an update outside `operations` fires nothing', async () => {
    const t = trigger({ connection: 'shop', tables: ['public.orders'], operations: ['insert', 'delete'], windowMs: 200 });
    const rec = recorder();
    await startTrigger(t, rec.emit);

    const t0 = Date.now();
    await pg.query("insert into orders values (1, 'new', 10.5), (2, 'new', 20)");
    const [first] = await rec.waitFor(1);
    const latency = rec.events[0]!.at - t0;
    expect(first).toMatchObject({ table: 'public.orders', operations: ['insert'], count: 2, keys: [1, 2], keysTruncated: false });
    expect(first!.changes[0]).toMatchObject({ operation: 'insert', key: 1, after: { id: 1, status: 'new', amount: '10.50' }, before: null });
    expect(rec.events[0]!.event.dedupKey).toMatch(/^cdc:public\.orders:lsn:\d+\.\.lsn:\d+$/);
    expect(rec.events[0]!.event.meta).toMatchObject({ table: 'public.orders', operation: 'insert', count: '2' });
    expect(latency).toBeLessThan(5_000);
    process.stdout.write(`\nCDC PostgreSQL insert committed -> emit: ${latency} ms (window 200 ms)\n`);

    await pg.query("update orders set status = 'paid' where id = 1");
    await pg.query('delete from orders where id = 2');
    const [, second] = await rec.waitFor(2);
    // The update is filtered out; the delete after it is the batch.
    expect(second).toMatchObject({ operations: ['delete'], count: 1, keys: [2] });
    await quiet(800);
    expect(rec.events).toHaveLength(2);
  });

  it('a condition lets only matching rows fire; a table not in `tables` never does', async () => {
    const t = trigger({
      connection: 'shop',
      tables: ['public.orders'],
      operations: ['insert', 'update'],
      condition: { column: 'amount', op: 'gt', value: 100 },
      windowMs: 300,
    });
    const rec = recorder();
    await startTrigger(t, rec.emit);
    await pg.query("insert into orders values (10, 'new', 5), (11, 'new', 150)");
    await pg.query("insert into audit values (1, 'not captured')");
    await pg.query('update orders set amount = 500 where id = 10');
    const payloads = await rec.waitFor(1);
    await quiet(800);
    const all = rec.payloads();
    const keys = all.flatMap((p) => p.keys);
    expect(keys).toEqual([11, 10]);
    expect(all.flatMap((p) => p.changes.map((c) => c.operation))).toEqual(['insert', 'update']);
    expect(payloads[0]!.table).toBe('public.orders');
    // match() on a sample payload (the core's `test`) applies the same filter
    expect(source.match(t.config, { payload: { table: 'public.orders', changes: [{ operation: 'insert', after: { amount: '7.00' } }] } })).toEqual({
      matched: false,
      reason: '"amount" is "7.00", wanted gt 100',
    });
  });

  it('a window whose emit failed is read again after a restart, with the same dedupKey', async () => {
    const t = trigger({ connection: 'shop', tables: ['public.orders'], operations: ['insert'], windowMs: 100 });
    const failing = recorder(true);
    const h = await source.start(t, failing.emit);
    started.push(t);
    await pg.query("insert into orders values (20, 'new', 1)");
    await failing.waitFor(2); // the first try and a retry, never committed
    await h.stop();
    const tries = failing.events.length;
    await quiet(300);
    expect(failing.events).toHaveLength(tries); // stop: no more emits

    const rec = recorder();
    await startTrigger(t, rec.emit);
    const [again] = await rec.waitFor(1);
    expect(again).toMatchObject({ keys: [20], count: 1 });
    expect(rec.events[0]!.event.dedupKey).toBe(failing.events[0]!.event.dedupKey);
  });

  it('an edited trigger updates its connector: a table added to `tables` fires, without a second slot', async () => {
    const t = trigger({ connection: 'shop', tables: ['public.orders'], operations: ['insert'], windowMs: 100 });
    const first = recorder();
    const h = await source.start(t, first.emit);
    started.push(t);
    await h.stop();

    const edited = { ...t, config: cdcConfigSchema.parse({ ...t.config, tables: ['public.orders', 'public.audit'] }) };
    const rec = recorder();
    await startTrigger(edited, rec.emit);
    await pg.query("insert into audit values (30, 'now captured')");
    // Kafka Connect restarts the connector's task for the new config: under a full test run's load that took
    // over 20 s once (7 s alone), so this wait is longer than the others.
    expect((await rec.waitFor(1, 60_000))[0]).toMatchObject({ table: 'public.audit', keys: [30] });
    const names = cdcNames(t.id);
    expect((await pg.query('select 1 from pg_replication_slots where slot_name = $1', [names.slot])).rowCount).toBe(1);
    const pub = await pg.query<{ t: string }>("select schemaname || '.' || tablename as t from pg_publication_tables where pubname = $1 order by 1", [
      names.publication,
    ]);
    expect(pub.rows.map((r) => r.t)).toEqual(['public.audit', 'public.orders']);
  }, 120_000);

  it('condition `changed` needs REPLICA IDENTITY FULL and then fires only when the column changed', async () => {
    await pg.query('create table accounts (id int primary key, tier text, seen int)');
    const t = trigger({ connection: 'shop', tables: ['public.accounts'], operations: ['update'], condition: { column: 'tier', op: 'changed' }, windowMs: 100 });
    started.push(t);
    await expect(source.start(t, recorder().emit)).rejects.toMatchObject({
      code: 'FF_CDC_SOURCE_NOT_READY',
      message: expect.stringContaining('ALTER TABLE public.accounts REPLICA IDENTITY FULL'),
    });

    await pg.query('alter table accounts replica identity full');
    await pg.query("insert into accounts values (1, 'free', 0), (2, 'free', 0)");
    const rec = recorder();
    await startTrigger(t, rec.emit);
    await pg.query('update accounts set seen = seen + 1');
    await pg.query("update accounts set tier = 'pro' where id = 2");
    const [batch] = await rec.waitFor(1);
    await quiet(500);
    expect(rec.events).toHaveLength(1);
    expect(batch).toMatchObject({ operations: ['update'], count: 1, keys: [2] });
    expect(batch!.changes[0]).toMatchObject({ before: { id: 2, tier: 'free', seen: 1 }, after: { id: 2, tier: 'pro', seen: 1 } });
  });

  it('remove deletes the connector, its slot, publication and topics', async () => {
    const t = trigger({ connection: 'shop', tables: ['public.audit'], windowMs: 100 });
    const rec = recorder();
    const h = await startTrigger(t, rec.emit);
    const names = cdcNames(t.id);
    expect((await pg.query('select 1 from pg_replication_slots where slot_name = $1', [names.slot])).rowCount).toBe(1);
    await h.stop();
    await source.remove(t);
    expect(await connectorStatus(stack.kafkaConnectUrl!, names.connector)).toBe(404);
    expect((await pg.query('select 1 from pg_replication_slots where slot_name = $1', [names.slot])).rowCount).toBe(0);
    expect((await pg.query('select 1 from pg_publication where pubname = $1', [names.publication])).rowCount).toBe(0);
    const kafka = new Kafka({ brokers: stack.kafkaBrokers!, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).filter((x) => x.startsWith(names.topicPrefix))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    expect(await source.connectorState(t)).toBeNull();
    await source.remove(t); // again: nothing left, no error
  });

  it('a missing table fails naming the cause; once the table exists the same trigger starts', async () => {
    const t = trigger({ connection: 'shop', tables: ['public.late_table'], windowMs: 100 });
    started.push(t);
    const e = await source.start(t, recorder().emit).catch((x: Error) => x);
    expect(e).toMatchObject({
      code: 'FF_CDC_CONNECTOR_FAILED',
      message: expect.stringContaining('No table filters found for filtered publication'),
    });
    expect((e as Error).message).toContain(`capturing public.late_table from postgres 127.0.0.1:5432/${db.name}`);
    expect(await source.connectorState(t)).toEqual({ state: 'FAILED', cause: expect.stringContaining('No table filters found') });

    await pg.query('create table late_table (id int primary key)');
    const rec = recorder();
    await startTrigger(t, rec.emit);
    await pg.query('insert into late_table values (42)');
    expect((await rec.waitFor(1))[0]).toMatchObject({ table: 'public.late_table', keys: [42] });
    expect(await source.connectorState(t)).toEqual({ state: 'RUNNING', cause: null });
  });

  it('an unknown role fails with the cause, never the password', async () => {
    const role = trigger({ connection: 'nobody', tables: ['public.orders'] });
    const e = await source.start(role, recorder().emit).catch((x: Error & { code?: string }) => x);
    expect(e).toMatchObject({ code: 'FF_CDC_CONNECTION', message: expect.stringContaining('role "no_such_role_cdc" does not exist') });
    expect((e as Error).message).not.toContain('pw-Secret-9');
  });
});

(mariaStack ? describe : describe.skip)('cdc source on MariaDB through Debezium', () => {
  const stack = mariaStack!;
  const database = `ff_cdc_${Date.now().toString(36)}`;
  let source: CdcSource;
  const started: TriggerSpec<CdcConfig>[] = [];
  const handles: SourceHandle[] = [];
  let sql: (q: string) => Promise<unknown>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const u = new URL(stack.mariadbUrl!);
    const base = { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) };
    const c = await createConnection(base);
    sql = (q) => c.query(q);
    close = () => c.end();
    await sql(`create database ${database}`);
    await sql(`create table ${database}.orders (id int primary key, status varchar(20) not null)`);
    const connections = new Map<string, CdcConnection>([
      ['maria', { type: 'mysql', ...base, password: base.password || undefined }],
      ['maria-badpw', { type: 'mysql', ...base, password: 'maria-Wrong-pw' }],
    ]);
    source = new CdcSource({
      connectUrl: stack.kafkaConnectUrl,
      kafkaBrokers: stack.kafkaBrokers!,
      resolver: {
        resolve: async (name) => {
          const c = connections.get(name);
          if (!c) throw new Error(`no connection ${name}`);
          return c;
        },
      },
    });
  });

  afterAll(async () => {
    for (const h of handles) await h.stop();
    for (const t of started) await source.remove(t).catch(() => undefined);
    await sql?.(`drop database if exists ${database}`);
    await close?.();
  });

  it('an insert fires a batch naming its key; an update outside `operations` fires nothing; remove cleans up', async () => {
    const t = trigger({ connection: 'maria', tables: [`${database}.orders`], operations: ['insert'], windowMs: 200 });
    started.push(t);
    const rec = recorder();
    const h = await source.start(t, rec.emit);
    handles.push(h);

    const t0 = Date.now();
    await sql(`insert into ${database}.orders values (7, 'new')`);
    const [first] = await rec.waitFor(1);
    const latency = rec.events[0]!.at - t0;
    expect(first).toMatchObject({ table: `${database}.orders`, operations: ['insert'], count: 1, keys: [7] });
    expect(rec.events[0]!.event.dedupKey).toMatch(new RegExp(`^cdc:${database}\\.orders:binlog:mysql-bin\\.\\d+:\\d+:0\\.\\.binlog:`));
    expect(latency).toBeLessThan(5_000);
    process.stdout.write(`\nCDC MariaDB insert committed -> emit: ${latency} ms (window 200 ms)\n`);

    await sql(`update ${database}.orders set status = 'paid' where id = 7`);
    await sql(`insert into ${database}.orders values (8, 'new')`);
    const [, second] = await rec.waitFor(2);
    expect(second).toMatchObject({ operations: ['insert'], keys: [8] });
    await quiet(800);
    expect(rec.events).toHaveLength(2);

    await h.stop();
    await source.remove(t);
    const names = cdcNames(t.id);
    expect(await connectorStatus(stack.kafkaConnectUrl!, names.connector)).toBe(404);
    const admin = new Kafka({ brokers: stack.kafkaBrokers!, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect((await admin.listTopics()).filter((x) => x.startsWith(names.topicPrefix))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('an edit adding a table makes a new connector that captures it', async () => {
    await sql(`create table ${database}.items (sku varchar(20) primary key, qty int)`);
    const t = trigger({ connection: 'maria', tables: [`${database}.orders`], windowMs: 100 });
    started.push(t);
    await (await source.start(t, recorder().emit)).stop();
    const edited = { ...t, config: cdcConfigSchema.parse({ ...t.config, tables: [`${database}.orders`, `${database}.items`] }) };
    const rec = recorder();
    handles.push(await source.start(edited, rec.emit));
    await sql(`insert into ${database}.items values ('A-1', 3)`);
    expect((await rec.waitFor(1))[0]).toMatchObject({ table: `${database}.items`, operations: ['insert'], keys: ['A-1'] });
  });

  it('remove deletes the connector even when its connection is gone from the catalog', async () => {
    const t = trigger({ connection: 'maria', tables: [`${database}.orders`], windowMs: 100 });
    started.push(t);
    await (await source.start(t, recorder().emit)).stop();
    await source.remove({ ...t, config: { ...t.config, connection: 'deleted-connection' } });
    expect(await connectorStatus(stack.kafkaConnectUrl!, cdcNames(t.id).connector)).toBe(404);
  });

  it('a wrong password fails with the cause, never the password', async () => {
    const t = trigger({ connection: 'maria-badpw', tables: [`${database}.orders`] });
    const e = await source.start(t, recorder().emit).catch((x: Error & { code?: string }) => x);
    expect(e).toMatchObject({ code: 'FF_CDC_CONNECTION', message: expect.stringContaining('Access denied') });
    expect((e as Error).message).not.toContain('maria-Wrong-pw');
  });
});
