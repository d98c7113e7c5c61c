import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { createTestDatabase, requireStack, type TestDatabase } from '@flowforge/testing';
import { triggersService } from '@flowforge/service-triggers';
import { startAuthHost, type AuthHost } from './auth-host';
import { waitFor } from './host-process';
import type { PublicRun } from './public-api';

const stack = requireStack('cdc triggers (embedded platform, real Debezium)', ['postgresUrl', 'kafkaBrokers', 'kafkaConnectUrl', 'mariadbUrl']);
const describeStack = stack ? describe : describe.skip;

jest.setTimeout(180_000);

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: nothing }
spec: { type: noop, config: {} }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: on-change }
spec:
  parameters:
    - { name: keys, type: string, default: '' }
    - { name: table, type: string, default: '' }
  steps:
    - { id: one, job: nothing }
`;

interface Firing {
  matched: boolean;
  reason: string;
  runId: string | null;
}

/**
 * Database change data capture end to end: a trigger of type `cdc` created through the public API on
 * a catalog connection, a row inserted into PostgreSQL and one into MariaDB, real Debezium connectors
 * on the stack's Kafka Connect, and a real run of the orchestrator for each. Deleting the trigger
 * removes its connector (and, on PostgreSQL, its replication slot).
 */
describeStack('cdc triggers through the embedded platform', () => {
  let host: AuthHost;
  let admin: string;
  let source: TestDatabase;
  let pg: Client;
  const mariaDb = `ff_cdc_e2e_${randomBytes(3).toString('hex')}`;
  let maria: Awaited<ReturnType<typeof createConnection>>;

  beforeAll(async () => {
    source = await createTestDatabase('ff_cdc_e2e_src');
    pg = new Client({ connectionString: source.url });
    await pg.connect();
    await pg.query('create table orders (id int primary key, status text not null)');
    const m = new URL(stack!.mariadbUrl!);
    maria = await createConnection({
      host: m.hostname,
      port: Number(m.port || 3306),
      user: decodeURIComponent(m.username) || 'root',
      password: decodeURIComponent(m.password),
    });
    await maria.query(`create database ${mariaDb}`);
    await maria.query(`create table ${mariaDb}.orders (id int primary key, status varchar(20) not null)`);

    host = await startAuthHost(
      () => createTestDatabase('ff_triggers_cdc'),
      {
        FLOWFORGE_TRIGGERS_SYNC_MS: '200',
        FLOWFORGE_KAFKA_CONNECT_URL: stack!.kafkaConnectUrl!,
        FLOWFORGE_KAFKA_BROKERS: stack!.kafkaBrokers!.join(','),
        FLOWFORGE_TRIGGERS_SECRET_KEY: randomBytes(32).toString('base64'),
      },
      [triggersService],
    );
    admin = await host.adminToken();
    const applied = await fetch(`${host.base}/api/v1/workflows/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${admin}` },
      body: WORKFLOWS,
    });
    expect(applied.status).toBe(200);
    const s = new URL(source.url);
    const connections = [
      {
        name: 'shop-pg',
        type: 'postgres',
        config: { host: s.hostname, port: Number(s.port || 5432), database: source.name, user: decodeURIComponent(s.username), allowPrivateNetworks: true },
      },
      {
        name: 'shop-maria',
        type: 'mysql',
        config: { host: m.hostname, port: Number(m.port || 3306), user: decodeURIComponent(m.username) || 'root', allowPrivateNetworks: true },
      },
      // The same server without allowPrivateNetworks: the platform's address policy refuses loopback.
      { name: 'shop-guarded', type: 'postgres', config: { host: s.hostname, port: Number(s.port || 5432), database: source.name, user: 'postgres' } },
    ];
    for (const c of connections) expect((await host.call('POST', '/api/v1/connections', { token: admin, body: c })).status).toBe(201);
  });

  afterAll(async () => {
    for (const name of ['pg-orders', 'maria-orders', 'guarded'])
      await host?.call('DELETE', `/api/v1/triggers/${name}`, { token: admin }).catch(() => undefined);
    await host?.stop();
    await pg
      ?.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1 and not active', [source.name])
      .catch(() => undefined);
    await pg?.end();
    await source?.drop();
    await maria?.query(`drop database if exists ${mariaDb}`).catch(() => undefined);
    await maria?.end();
  });

  const firedRun = async (trigger: string): Promise<PublicRun> => {
    const firing = await waitFor(
      `trigger ${trigger} to fire a run`,
      async () => {
        const res = await host.call<{ items: Firing[] }>('GET', `/api/v1/triggers/${trigger}/firings?limit=20`, { token: admin });
        return res.body.items.find((f) => f.runId);
      },
      60_000,
    );
    return waitFor(
      `run ${firing.runId} to succeed`,
      async () => {
        const r = await host.call<PublicRun>('GET', `/api/v1/runs/${firing.runId}`, { token: admin });
        return r.body.state === 'succeeded' ? r.body : undefined;
      },
      30_000,
    );
  };

  /** The source says it consumes: its connector runs and holds its position, its consumer is subscribed. */
  const sourceStarted = async (triggerId: string): Promise<void> => {
    await waitFor(
      `the cdc source of trigger ${triggerId} to start`,
      async () => (host.logs.some((l) => l.includes(`FF_CDC: trigger ${triggerId} consumes`)) ? true : undefined),
      120_000,
    );
    expect((await connectorsOf(triggerId)).length).toBe(1);
  };

  const connectorsOf = async (triggerId: string): Promise<string[]> =>
    ((await (await fetch(`${stack!.kafkaConnectUrl}/connectors`)).json()) as string[]).filter((c) => c.includes(triggerId));

  it('a row inserted into PostgreSQL starts a run with the changed keys; deleting the trigger removes its connector and slot', async () => {
    const created = await host.call<{ id: string }>('PUT', '/api/v1/triggers/pg-orders', {
      token: admin,
      body: {
        workflow: 'on-change',
        type: 'cdc',
        config: { connection: 'shop-pg', tables: ['public.orders'], operations: ['insert'], windowMs: 200 },
        params: { keys: '${payload.keys}', table: '${payload.table}' },
      },
    });
    expect(created.status).toBe(201);
    // The runtime starts the source: connector running and holding its position (slot, publication), consumer
    // subscribed. A change committed before that may precede the publication, which then never lists it.
    await sourceStarted(created.body.id);
    expect((await pg.query('select 1 from pg_replication_slots where database = $1', [source.name])).rowCount).toBe(1);
    await pg.query("insert into orders values (41, 'new'), (42, 'new')");
    const run = await firedRun('pg-orders');
    expect(run).toMatchObject({ workflow: 'on-change', requestedBy: `trigger:${created.body.id}`, params: { keys: '[41,42]', table: 'public.orders' } });

    expect((await host.call('DELETE', '/api/v1/triggers/pg-orders', { token: admin })).status).toBe(204);
    await waitFor('the connector to be removed', async () => ((await connectorsOf(created.body.id)).length === 0 ? true : undefined), 30_000);
    await waitFor(
      'the replication slot to be dropped',
      async () => ((await pg.query('select 1 from pg_replication_slots where database = $1', [source.name])).rowCount === 0 ? true : undefined),
      30_000,
    );
  });

  it('a row inserted into MariaDB starts a run', async () => {
    const created = await host.call<{ id: string }>('PUT', '/api/v1/triggers/maria-orders', {
      token: admin,
      body: {
        workflow: 'on-change',
        type: 'cdc',
        config: { connection: 'shop-maria', tables: [`${mariaDb}.orders`], operations: ['insert'], windowMs: 200 },
        params: { keys: '${payload.keys}', table: '${payload.table}' },
      },
    });
    expect(created.status).toBe(201);
    await sourceStarted(created.body.id);
    // The connector captures from where the binlog stood when it started: insert until one is seen.
    const run = await waitFor(
      'an insert to start a run',
      async () => {
        await maria.query(`insert into ${mariaDb}.orders values (${Math.floor(Math.random() * 1e6)}, 'new')`);
        const res = await host.call<{ items: Firing[] }>('GET', '/api/v1/triggers/maria-orders/firings?limit=20', { token: admin });
        return res.body.items.find((f) => f.runId);
      },
      90_000,
    );
    const done = await waitFor(
      'the run to succeed',
      async () => {
        const r = await host.call<PublicRun>('GET', `/api/v1/runs/${run.runId}`, { token: admin });
        return r.body.state === 'succeeded' ? r.body : undefined;
      },
      30_000,
    );
    expect(done).toMatchObject({ workflow: 'on-change', requestedBy: `trigger:${created.body.id}`, params: { table: `${mariaDb}.orders` } });
    expect((await host.call('DELETE', '/api/v1/triggers/maria-orders', { token: admin })).status).toBe(204);
    await waitFor('the connector to be removed', async () => ((await connectorsOf(created.body.id)).length === 0 ? true : undefined), 30_000);
  });

  it('a connection on a loopback address without allowPrivateNetworks never reaches Debezium', async () => {
    const created = await host.call<{ id: string }>('PUT', '/api/v1/triggers/guarded', {
      token: admin,
      body: { workflow: 'on-change', type: 'cdc', config: { connection: 'shop-guarded', tables: ['public.orders'], operations: ['insert'] } },
    });
    expect(created.status).toBe(201);
    // The runtime's start fails on the address policy, saying so; no connector is ever made.
    await waitFor(
      'the start refused by the address policy',
      async () => (host.logs.some((l) => l.includes(created.body.id) && l.includes('allowPrivateNetworks')) ? true : undefined),
      30_000,
    );
    expect(await connectorsOf(created.body.id)).toEqual([]);
  });
});
