import amqp from 'amqplib';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createTestDatabase, requireStack } from '@flowforge/testing';
import { schedulerService } from '@flowforge/service-scheduler';
import { triggersService } from '@flowforge/service-triggers';
import { startAuthHost, type Answer, type AuthHost } from './auth-host';
import { waitFor } from './host-process';
import type { PublicRun } from './public-api';

const stack = requireStack('triggers (embedded platform)', ['postgresUrl', 'kafkaBrokers']);
const describeStack = stack ? describe : describe.skip;
const RABBITMQ_URL = process.env.FLOWFORGE_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const WORKFLOWS = `
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: nothing }
spec: { type: noop, config: {} }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: triggered }
spec:
  parameters:
    - { name: order, type: string, default: '' }
    - { name: files, type: string, default: '' }
    - { name: count, type: integer, default: 0 }
  steps:
    - { id: one, job: nothing }
---
apiVersion: flowforge.io/v1
kind: Job
metadata: { name: nap }
spec: { type: sleep, config: { ms: 5 } }
---
apiVersion: flowforge.io/v1
kind: Workflow
metadata: { name: upstream_a }
spec:
  steps:
    - { id: load, job: nap }
`;

interface Trigger {
  id: string;
  name: string;
  config: Record<string, unknown>;
  hookPath: string | null;
  secret?: string;
}
interface Firing {
  id: string;
  matched: boolean;
  reason: string;
  runId: string | null;
  dedupKey: string | null;
  params: Record<string, string> | null;
}
interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

const sign = (secret: string, ts: number, body: string): string => `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;

/**
 * Triggers on the embedded platform (gateway, auth, catalog, orchestrator, triggers in one process, a
 * fresh database): webhooks through the public door, Kafka and RabbitMQ messages from the real brokers,
 * files arriving in a `local` connection. Every run is a real run of the orchestrator.
 */
describeStack('triggers through the embedded platform', () => {
  let host: AuthHost;
  let admin: string;
  let landing: string;

  beforeAll(async () => {
    landing = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-trig-landing-'));
    host = await startAuthHost(
      () => createTestDatabase('ff_triggers_api'),
      { FLOWFORGE_TRIGGERS_SYNC_MS: '200', FLOWFORGE_LOCAL_CONNECTION_ROOTS: landing, FLOWFORGE_TRIGGERS_SECRET_KEY: randomBytes(32).toString('base64') },
      // The scheduler too: an export lists schedules beside triggers.
      [triggersService, schedulerService],
    );
    admin = await host.adminToken();
    const applied = await fetch(`${host.base}/api/v1/workflows/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${admin}` },
      body: WORKFLOWS,
    });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await host?.stop();
    fs.rmSync(landing, { recursive: true, force: true });
  });

  const put = (name: string, body: unknown, token = admin): Promise<Answer<Trigger & Problem>> => host.call('PUT', `/api/v1/triggers/${name}`, { token, body });
  const firings = async (name: string): Promise<{ items: Firing[]; total: number }> => {
    const res = await host.call<{ items: Firing[]; total: number }>('GET', `/api/v1/triggers/${name}/firings?limit=100`, { token: admin });
    expect(res.status).toBe(200);
    return res.body;
  };
  const runOf = async (runId: string): Promise<PublicRun> =>
    waitFor(
      `run ${runId} to succeed`,
      async () => {
        const r = await host.call<PublicRun>('GET', `/api/v1/runs/${runId}`, { token: admin });
        return r.status === 200 && r.body.state === 'succeeded' ? r.body : undefined;
      },
      30_000,
    );
  // host.call JSON-encodes bodies; webhooks need the exact bytes signed.
  const post = async (
    urlPath: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<Answer<{ runId: string; firingId: string } & Problem>> => {
    const res = await fetch(`${host.base}${urlPath}`, { method: 'POST', headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as never, text, headers: res.headers };
  };

  describe('API and permissions', () => {
    it('refuses an analyst (and an operator) to create a trigger; lists the types with their config schemas', async () => {
      const analyst = await host.userWith(['analyst']);
      const refused = await put('nope', { workflow: 'triggered', type: 'webhook', config: { auth: 'token' } }, analyst.token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('FF_FORBIDDEN');
      const operator = await host.userWith(['operator']);
      expect((await put('nope', { workflow: 'triggered', type: 'webhook', config: { auth: 'token' } }, operator.token)).status).toBe(403);
      expect((await host.call('GET', '/api/v1/triggers/nope', { token: admin })).status).toBe(404);
      const types = await host.call<{ type: string; configSchema: { properties: Record<string, unknown> }; secretFields: string[] }[]>(
        'GET',
        '/api/v1/trigger-types',
        {
          token: analyst.token,
        },
      );
      expect(types.status).toBe(200);
      expect(types.body.map((t) => t.type)).toEqual(expect.arrayContaining(['file', 'kafka', 'rabbitmq', 'webhook']));
      const webhook = types.body.find((t) => t.type === 'webhook')!;
      expect(Object.keys(webhook.configSchema.properties)).toEqual(expect.arrayContaining(['auth', 'secret', 'replayWindowSeconds', 'schema', 'rateLimit']));
      expect(webhook.secretFields).toEqual(['secret']);
    });

    it('refuses a bad definition naming the field, never a 500', async () => {
      const badType = await put('bad-one', { workflow: 'triggered', type: 'carrier-pigeon', config: {} });
      expect(badType.status).toBe(400);
      expect(badType.body.errors?.map((e) => e.field)).toEqual(['type']);
      const badConfig = await put('bad-one', { workflow: 'triggered', type: 'kafka', config: { brokers: ['nohost'], topic: 'a b' } });
      expect(badConfig.status).toBe(400);
      expect(badConfig.body.errors?.map((e) => e.field).sort()).toEqual(['config.brokers[0]', 'config.topic']);
      const badParams = await put('bad-one', { workflow: 'triggered', type: 'webhook', config: { auth: 'token' }, params: { order: '${body.x}' } });
      expect(badParams.status).toBe(400);
      expect(badParams.body.errors?.map((e) => e.field)).toEqual(['params.order']);
      const badName = await put('Bad%20Name', { workflow: 'triggered', type: 'webhook', config: {} });
      expect(badName.status).toBe(400);
      expect((await host.call('GET', '/api/v1/triggers', { token: admin })).body).toEqual([]);
    });
  });

  describe('webhooks', () => {
    let hook: Trigger;
    let secret: string;
    const body = JSON.stringify({ order: { id: 'o-17', status: 'paid' } });

    beforeAll(async () => {
      const created = await put('orders-hook', {
        workflow: 'triggered',
        type: 'webhook',
        config: {
          auth: 'hmac',
          maxBytes: 2048,
          schema: { type: 'object', required: ['order'], properties: { order: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
        },
        params: { order: '${payload.order.id}' },
      });
      expect(created.status).toBe(201);
      hook = created.body;
      secret = created.body.secret!;
      expect(secret).toMatch(/^whsec_/);
    });

    const signed = (b: string, ts = Math.floor(Date.now() / 1000)) => ({
      'content-type': 'application/json',
      'x-flowforge-timestamp': String(ts),
      'x-flowforge-signature': sign(secret, ts, b),
    });

    it('never answers the secret again', async () => {
      const got = await host.call<Trigger>('GET', '/api/v1/triggers/orders-hook', { token: admin });
      expect(got.body.config.secret).toEqual({ set: true });
      expect(got.text).not.toContain(secret);
      expect((await host.call('GET', '/api/v1/triggers', { token: admin })).text).not.toContain(secret);
      expect(host.logs.join('\n')).not.toContain(secret);
    });

    it('a signed delivery starts a real run, requested by the trigger, and is listed among the firings', async () => {
      const res = await post(hook.hookPath!, body, signed(body));
      expect(res.status).toBe(202);
      const run = await runOf(res.body.runId);
      expect(run).toMatchObject({ workflow: 'triggered', requestedBy: `trigger:${hook.id}` });
      expect((run as unknown as { params: Record<string, unknown> }).params).toMatchObject({ order: 'o-17' });
      const list = await firings('orders-hook');
      expect(list.items[0]).toMatchObject({ id: res.body.firingId, matched: true, runId: res.body.runId, params: { order: 'o-17' } });
    });

    it('refuses a wrong, missing, expired, future or replayed signature with 401', async () => {
      const ts = Math.floor(Date.now() / 1000);
      const wrong = await post(hook.hookPath!, body, { ...signed(body), 'x-flowforge-signature': sign('x'.repeat(40), ts, body) });
      expect([wrong.status, wrong.body.code]).toEqual([401, 'FF_WEBHOOK_SIGNATURE_INVALID']);
      const tampered = await post(hook.hookPath!, body.replace('paid', 'free'), signed(body, ts));
      expect([tampered.status, tampered.body.code]).toEqual([401, 'FF_WEBHOOK_SIGNATURE_INVALID']);
      const missing = await post(hook.hookPath!, body, { 'content-type': 'application/json' });
      expect([missing.status, missing.body.code]).toEqual([401, 'FF_WEBHOOK_SIGNATURE_MISSING']);
      // Read the clock at each call, 10 s past the 300 s window: a slow machine must not bring a stamp back inside it.
      const nowSeconds = (): number => Math.floor(Date.now() / 1000);
      const expired = await post(hook.hookPath!, body, signed(body, nowSeconds() - 310));
      expect([expired.status, expired.body.code]).toEqual([401, 'FF_WEBHOOK_TIMESTAMP_EXPIRED']);
      const future = await post(hook.hookPath!, body, signed(body, nowSeconds() + 310));
      expect([future.status, future.body.code]).toEqual([401, 'FF_WEBHOOK_TIMESTAMP_EXPIRED']);
      // Another body than the earlier deliveries': the same body signed in the same second is the same signature.
      const once = JSON.stringify({ order: { id: 'o-18' } });
      const headers = signed(once, ts - 1);
      expect((await post(hook.hookPath!, once, headers)).status).toBe(202);
      const replay = await post(hook.hookPath!, once, headers);
      expect([replay.status, replay.body.code]).toEqual([401, 'FF_WEBHOOK_REPLAYED']);
      expect(replay.headers.get('content-type')).toContain('application/problem+json');
    });

    it('refuses a body too large (413), not JSON (415), not matching the schema (422 naming the path), and an unknown trigger (404)', async () => {
      const big = JSON.stringify({ order: { id: 'x', pad: 'p'.repeat(3000) } });
      const tooLarge = await post(hook.hookPath!, big, signed(big));
      expect([tooLarge.status, tooLarge.body.code]).toEqual([413, 'FF_WEBHOOK_TOO_LARGE']);
      const huge = await post(hook.hookPath!, Buffer.alloc(1024 * 1024 + 10, 0x20), signed('x'));
      expect(huge.status).toBe(413);
      const text = await post(hook.hookPath!, body, { ...signed(body), 'content-type': 'text/plain' });
      expect([text.status, text.body.code]).toEqual([415, 'FF_WEBHOOK_CONTENT_TYPE']);
      const off = JSON.stringify({ order: { id: 7 } });
      const mismatch = await post(hook.hookPath!, off, signed(off));
      expect([mismatch.status, mismatch.body.code]).toEqual([422, 'FF_WEBHOOK_PAYLOAD_INVALID']);
      expect(mismatch.body.errors).toEqual([{ field: 'payload.order.id', message: 'must be string' }]);
      const none = JSON.stringify({ other: 1 });
      const absent = await post(hook.hookPath!, none, signed(none));
      expect(absent.body.errors).toEqual([{ field: 'payload.order', message: 'is required' }]);
      expect((await post(`/api/v1/hooks/${randomUUID()}`, body, signed(body))).status).toBe(404);
      expect((await post('/api/v1/hooks/not-a-uuid', body, signed(body))).status).toBe(400);
    });

    it('rate limits a trigger with 429 and Retry-After', async () => {
      const limited = await put('limited-hook', { workflow: 'triggered', type: 'webhook', config: { auth: 'hmac', rateLimit: { perMinute: 1, burst: 2 } } });
      expect(limited.status).toBe(201);
      const s = limited.body.secret!;
      const at = (i: number) => {
        const b = JSON.stringify({ n: i });
        const ts = Math.floor(Date.now() / 1000);
        return post(limited.body.hookPath!, b, {
          'content-type': 'application/json',
          'x-flowforge-timestamp': String(ts),
          'x-flowforge-signature': sign(s, ts, b),
        });
      };
      expect((await at(1)).status).toBe(202);
      expect((await at(2)).status).toBe(202);
      const third = await at(3);
      expect([third.status, third.body.code]).toEqual([429, 'FF_WEBHOOK_RATE_LIMITED']);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('auth token: no token 401, a token without trigger:execute 403, one with it 202 (an Idempotency-Key retry starts no second run)', async () => {
      const created = await put('token-hook', { workflow: 'triggered', type: 'webhook', config: { auth: 'token' }, params: { order: '${payload.order}' } });
      expect(created.status).toBe(201);
      expect(created.body.secret).toBeUndefined();
      const b = JSON.stringify({ order: 't-1' });
      const json = { 'content-type': 'application/json' };
      const anonymous = await post(created.body.hookPath!, b, json);
      expect([anonymous.status, anonymous.body.code]).toEqual([401, 'FF_AUTH_REQUIRED']);
      const viewer = await host.call<{ token: string }>('POST', '/api/v1/tokens', {
        token: admin,
        body: { name: 'viewer', permissions: ['trigger:view'], expiresInDays: 1 },
      });
      const lacking = await post(created.body.hookPath!, b, { ...json, authorization: `Bearer ${viewer.body.token}` });
      expect([lacking.status, lacking.body.code]).toEqual([403, 'FF_FORBIDDEN']);
      const bogus = await post(created.body.hookPath!, b, { ...json, authorization: 'Bearer nonsense' });
      expect(bogus.status).toBe(401);
      const exec = await host.call<{ token: string }>('POST', '/api/v1/tokens', {
        token: admin,
        body: { name: 'sender', permissions: ['trigger:execute'], expiresInDays: 1 },
      });
      const headers = { ...json, authorization: `Bearer ${exec.body.token}`, 'idempotency-key': 'delivery-1' };
      const ok = await post(created.body.hookPath!, b, headers);
      expect(ok.status).toBe(202);
      const again = await post(created.body.hookPath!, b, headers);
      expect(again.status).toBe(202);
      expect(again.body.runId).toBe(ok.body.runId);
      expect((await runOf(ok.body.runId)).requestedBy).toBe(`trigger:${created.body.id}`);
      expect((await firings('token-hook')).total).toBe(1);
    });

    it('test: says matched and the parameters, or why not — and records nothing, starts no run', async () => {
      const before = await firings('orders-hook');
      const runsBefore = (await host.pool.query(`SELECT count(*)::int AS n FROM ff_orchestrator.runs`)).rows[0].n as number;
      const ok = await host.call<{ matched: boolean; reason: string; params: Record<string, string> | null }>('POST', '/api/v1/triggers/orders-hook/test', {
        token: admin,
        body: { payload: { order: { id: 'sample' } } },
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ matched: true, params: { order: 'sample' } });
      const no = await host.call<{ matched: boolean; reason: string }>('POST', '/api/v1/triggers/orders-hook/test', {
        token: admin,
        body: { payload: { x: 1 } },
      });
      expect(no.body).toMatchObject({ matched: false, reason: 'parameter "order": payload.order.id is missing from the event' });
      const analyst = await host.userWith(['analyst']);
      expect((await host.call('POST', '/api/v1/triggers/orders-hook/test', { token: analyst.token, body: { payload: {} } })).status).toBe(403);
      expect((await host.call('POST', '/api/v1/triggers/orders-hook/test', { token: admin, body: { payload: [] } })).status).toBe(400);
      await new Promise((r) => setTimeout(r, 500));
      expect((await firings('orders-hook')).total).toBe(before.total);
      expect((await host.pool.query(`SELECT count(*)::int AS n FROM ff_orchestrator.runs`)).rows[0].n).toBe(runsBefore);
    });

    it('an edit keeps the secret; a delete stops deliveries (404)', async () => {
      const edited = await put('orders-hook', {
        workflow: 'triggered',
        type: 'webhook',
        config: { auth: 'hmac', maxBytes: 4096 },
        params: { order: '${payload.order.id}' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body.secret).toBeUndefined();
      const ok = await post(hook.hookPath!, body, signed(body));
      expect(ok.status).toBe(202);
      // Switched to token auth, the kept HMAC secret goes; signed deliveries are then refused.
      const toToken = await put('orders-hook', { workflow: 'triggered', type: 'webhook', config: { auth: 'token' }, params: { order: '${payload.order.id}' } });
      expect(toToken.status).toBe(200);
      expect(toToken.body.config.secret).toBeUndefined();
      expect((await post(hook.hookPath!, body, signed(body))).status).toBe(401);
      expect((await host.call('DELETE', '/api/v1/triggers/orders-hook', { token: admin })).status).toBe(204);
      expect((await post(hook.hookPath!, body, signed(body))).status).toBe(404);
    });
  });

  it('a Kafka message starts a run; one the filter refuses is recorded as not matched', async () => {
    const topic = `ff-trig-test-${randomBytes(4).toString('hex')}`;
    const kafka = new Kafka({ clientId: 'trig-test', brokers: stack!.kafkaBrokers!, logLevel: logLevel.NOTHING });
    const adminClient = kafka.admin();
    await adminClient.connect();
    await adminClient.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [
          { key: 'a', value: JSON.stringify({ kind: 'refund', order: 'k-0' }) },
          { key: 'a', value: JSON.stringify({ kind: 'order', order: 'k-1' }), headers: { source: 'shop' } },
        ],
      });
      const created = await put('kafka-orders', {
        workflow: 'triggered',
        type: 'kafka',
        // The stack's broker is on loopback: allowed by the admin (settings:configure-system).
        config: {
          brokers: stack!.kafkaBrokers,
          topic,
          fromBeginning: true,
          filter: { fields: { kind: 'order' }, headers: { source: 'shop' } },
          allowPrivateNetworks: true,
        },
        params: { order: '${payload.order}' },
      });
      expect(created.status).toBe(201);
      const fired = await waitFor(
        'the kafka trigger to fire',
        async () => {
          const f = await firings('kafka-orders');
          return f.items.some((i) => i.runId) && f.total >= 2 ? f : undefined;
        },
        45_000,
      );
      const hit = fired.items.find((i) => i.runId)!;
      expect(hit.dedupKey).toBe(`${topic}/0/1`);
      expect((await runOf(hit.runId!)).requestedBy).toBe(`trigger:${created.body.id}`);
      expect(fired.items.find((i) => !i.matched)).toMatchObject({ reason: 'header "source" is absent, wanted "shop"', runId: null });
      // Committed after the firing: the trigger's group has consumed both.
      await waitFor(
        'offsets committed',
        async () => {
          const offsets = await adminClient.fetchOffsets({ groupId: `flowforge-trigger-${created.body.id}`, topics: [topic] });
          return offsets[0]!.partitions[0]!.offset === '2' ? true : undefined;
        },
        15_000,
      );
    } finally {
      await host.call('DELETE', '/api/v1/triggers/kafka-orders', { token: admin });
      await producer.disconnect();
      await adminClient.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await adminClient.disconnect();
    }
  }, 90_000);

  it('brokers on private addresses need allowPrivateNetworks, which only settings:configure-system may set; without it nothing connects', async () => {
    const developer = await host.userWith(['developer']);
    const loopback = { brokers: stack!.kafkaBrokers, topic: 'ff-trig-guarded', fromBeginning: true };
    const refused = await put('guarded-kafka', { workflow: 'triggered', type: 'kafka', config: { ...loopback, allowPrivateNetworks: true } }, developer.token);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('config.allowPrivateNetworks');
    const metadata = await put(
      'metadata-rabbit',
      { workflow: 'triggered', type: 'rabbitmq', config: { url: 'amqp://169.254.169.254', queue: 'q' } },
      developer.token,
    );
    expect(metadata.status).toBe(201);
    const created = await put('guarded-kafka', { workflow: 'triggered', type: 'kafka', config: loopback }, developer.token);
    expect(created.status).toBe(201);
    try {
      // Each start is refused by the address policy before a socket opens, and said so.
      await waitFor(
        'both starts refused by the address policy',
        async () =>
          host.logs.some((l) => l.includes('FF_TRIGGER_START_FAILED') && l.includes('guarded-kafka') && /not allowed|forbidden|loopback/i.test(l)) &&
          host.logs.some((l) => l.includes('FF_TRIGGER_START_FAILED') && l.includes('metadata-rabbit') && /not allowed|forbidden|metadata|link-local/i.test(l))
            ? true
            : undefined,
        30_000,
      );
      expect((await firings('guarded-kafka')).total).toBe(0);
    } finally {
      await host.call('DELETE', '/api/v1/triggers/guarded-kafka', { token: admin });
      await host.call('DELETE', '/api/v1/triggers/metadata-rabbit', { token: admin });
    }
  });

  it('a workflow trigger runs its workflow when the upstream succeeds, with the upstream outputs as parameters; a self-loop is refused', async () => {
    const loop = await put('loop', { workflow: 'triggered', type: 'workflow', config: { upstream: ['triggered'], on: 'success' }, params: {} });
    expect(loop.status).toBe(400);
    expect(JSON.stringify(loop.body)).toContain('config.upstream');
    const created = await put('after-a', {
      workflow: 'triggered',
      type: 'workflow',
      config: { upstream: ['upstream_a'], on: 'success', condition: 'steps.load.outputs.sleptMs > 0' },
      params: { count: '${payload.upstream.upstream_a.outputs.load.sleptMs}', order: '${payload.runId}' },
    });
    expect(created.status).toBe(201);
    try {
      // The source is started by the runtime's next sync; a run of A before it would not be seen.
      await new Promise((r) => setTimeout(r, 1000));
      const a = await host.call<PublicRun>('POST', '/api/v1/runs', { token: admin, body: { workflow: 'upstream_a' } });
      expect(a.status).toBe(201);
      await runOf(a.body.id);
      const fired = await waitFor('the workflow trigger to fire', async () => (await firings('after-a')).items.find((i) => i.runId), 30_000);
      expect(fired.dedupKey).toBe(`run:${a.body.id}`);
      const b = await runOf(fired.runId!);
      expect(b).toMatchObject({ workflow: 'triggered', requestedBy: `trigger:${created.body.id}`, params: { count: 5, order: a.body.id } });
    } finally {
      await host.call('DELETE', '/api/v1/triggers/after-a', { token: admin });
    }
  }, 90_000);

  it('a RabbitMQ message starts a run and is acked', async () => {
    let conn: amqp.ChannelModel;
    try {
      conn = await amqp.connect(RABBITMQ_URL);
    } catch (err) {
      if (process.env.FLOWFORGE_REQUIRE_STACK === '1') throw err;
      process.stderr.write(`\n⚠ SKIPPING the RabbitMQ trigger test: no broker at ${RABBITMQ_URL} (${(err as Error).message})\n\n`);
      return;
    }
    const queue = `ff-trig-${randomBytes(4).toString('hex')}`;
    const ch = await conn.createChannel();
    try {
      await ch.assertQueue(queue, { durable: false });
      ch.sendToQueue(queue, Buffer.from(JSON.stringify({ order: 'r-1' })), { messageId: 'm-1', headers: { source: 'shop' } });
      const u = new URL(RABBITMQ_URL);
      const created = await put('rabbit-orders', {
        workflow: 'triggered',
        type: 'rabbitmq',
        config: {
          url: `amqp://${u.host}`,
          username: decodeURIComponent(u.username),
          password: decodeURIComponent(u.password),
          queue,
          filter: { headers: { source: 'shop' } },
          allowPrivateNetworks: true,
        },
        params: { order: '${payload.order}' },
      });
      expect(created.status).toBe(201);
      expect(created.body.config.password).toEqual({ set: true });
      const fired = await waitFor('the rabbitmq trigger to fire', async () => (await firings('rabbit-orders')).items.find((i) => i.runId), 30_000);
      expect(fired.dedupKey).toBe('message:m-1');
      const run = await runOf(fired.runId!);
      expect((run as unknown as { params: Record<string, unknown> }).params).toMatchObject({ order: 'r-1' });
      await waitFor('the message to be acked', async () => ((await ch.checkQueue(queue)).messageCount === 0 ? true : undefined), 10_000);
      // A redelivery of the same message id fires nothing new.
      ch.sendToQueue(queue, Buffer.from(JSON.stringify({ order: 'r-1' })), { messageId: 'm-1', headers: { source: 'shop' } });
      await waitFor('the duplicate to be acked', async () => ((await ch.checkQueue(queue)).messageCount === 0 ? true : undefined), 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect((await firings('rabbit-orders')).total).toBe(1);
    } finally {
      await host.call('DELETE', '/api/v1/triggers/rabbit-orders', { token: admin });
      await ch.deleteQueue(queue).catch(() => undefined);
      await conn.close();
    }
  }, 60_000);

  it('object-store notifications wake a file trigger at once (its token in Authorization), S3 JSON direct or in an SNS envelope', async () => {
    const dir = path.join(landing, 'notified');
    fs.mkdirSync(dir, { recursive: true });
    expect((await host.call('POST', '/api/v1/connections', { token: admin, body: { name: 'notified', type: 'local', config: { path: dir } } })).status).toBe(
      201,
    );
    const token = randomBytes(24).toString('hex');
    // An hour between polls: only a notification makes it look before then.
    const created = await put('notified-files', {
      workflow: 'triggered',
      type: 'file',
      config: { connection: 'notified', glob: '*.csv', intervalSeconds: 3600, notificationToken: token },
      params: { files: '${payload.files}' },
    });
    expect(created.status).toBe(201);
    expect(created.body.config.notificationToken).toEqual({ set: true });
    try {
      const notify = (body: unknown, auth = `Bearer ${token}`) =>
        post(`/api/v1/hooks/${created.body.id}/notifications`, JSON.stringify(body), { 'content-type': 'application/json', authorization: auth });
      // Wait until the source runs here (its first listing found nothing), then a file arrives and is notified.
      await waitFor('the source to run', async () => ((await notify({ Records: [] })).body as unknown as { polledNow: boolean }) && true, 10_000);
      await new Promise((r) => setTimeout(r, 1000));
      fs.writeFileSync(path.join(dir, 'orders 1.csv'), 'id\n1\n');
      const s3Event = {
        Records: [{ eventName: 's3:ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key: 'landing/orders+1.csv', size: 5 } } }],
      };
      const wrong = await notify(s3Event, `Bearer ${'x'.repeat(48)}`);
      expect([wrong.status, wrong.body.code]).toEqual([401, 'FF_NOTIFICATION_TOKEN_INVALID']);
      const taken = await notify(s3Event);
      expect(taken.status).toBe(202);
      expect(taken.body).toMatchObject({ objects: 1, polledNow: true });
      const first = await waitFor('the notified file to fire', async () => (await firings('notified-files')).items.find((i) => i.runId), 15_000);
      expect((JSON.parse(first.params!.files) as { path: string }[]).map((f) => f.path)).toEqual(['orders 1.csv']);
      // The same through an SNS envelope.
      fs.writeFileSync(path.join(dir, 'b.csv'), 'id\n2\n');
      const sns = {
        Type: 'Notification',
        Message: JSON.stringify({ Records: [{ eventName: 'ObjectCreated:CompleteMultipartUpload', s3: { object: { key: 'b.csv' } } }] }),
      };
      expect((await notify(sns)).status).toBe(202);
      await waitFor('the second notified file', async () => ((await firings('notified-files')).total === 2 ? true : undefined), 15_000);
      // Not a notification, a subscription confirmation (no call out is made for it), and a trigger without a token.
      const notS3 = await notify({ hello: 'world' });
      expect([notS3.status, notS3.body.code]).toEqual([422, 'FF_NOTIFICATION_INVALID']);
      const confirm = await notify({ Type: 'SubscriptionConfirmation', SubscribeURL: 'https://example.invalid/confirm' });
      expect([confirm.status, confirm.text.includes('SubscribeURL')]).toEqual([422, true]);
    } finally {
      await host.call('DELETE', '/api/v1/triggers/notified-files', { token: admin });
    }
    const plain = await put('plain-files', { workflow: 'triggered', type: 'file', config: { connection: 'notified', glob: '*.csv', intervalSeconds: 3600 } });
    const refused = await post(`/api/v1/hooks/${plain.body.id}/notifications`, '{"Records":[]}', {
      'content-type': 'application/json',
      authorization: 'Bearer x',
    });
    expect([refused.status, refused.body.code]).toEqual([404, 'FF_TRIGGER_NOT_FOUND']);
    await host.call('DELETE', '/api/v1/triggers/plain-files', { token: admin });
  });

  it('files arriving in a local connection fire once, together, after they stop changing (a growing file waits)', async () => {
    const dir = path.join(landing, 'drop');
    fs.mkdirSync(dir, { recursive: true });
    const conn = await host.call('POST', '/api/v1/connections', { token: admin, body: { name: 'drop', type: 'local', config: { path: dir } } });
    expect(conn.status).toBe(201);
    fs.writeFileSync(path.join(dir, 'a.csv'), 'id\n1\n');
    fs.writeFileSync(path.join(dir, 'b.csv'), 'id\n2\n');
    fs.writeFileSync(path.join(dir, 'ignored.txt'), 'x');
    const created = await put('drop-files', {
      workflow: 'triggered',
      type: 'file',
      config: { connection: 'drop', glob: '*.csv', intervalSeconds: 1 },
      params: { files: '${payload.files}', count: '${payload.count}' },
    });
    expect(created.status).toBe(201);
    const first = await waitFor('the file trigger to fire', async () => (await firings('drop-files')).items.find((i) => i.runId), 30_000);
    const run = (await runOf(first.runId!)) as unknown as { params: { files: string; count: number } };
    expect(run.params.count).toBe(2);
    expect((JSON.parse(run.params.files) as { path: string }[]).map((f) => f.path)).toEqual(['a.csv', 'b.csv']);
    // More polls fire nothing for the same files.
    await new Promise((r) => setTimeout(r, 3500));
    expect((await firings('drop-files')).total).toBe(1);
    // A new file (and a rewritten one) is a new arrival, fired alone.
    fs.writeFileSync(path.join(dir, 'c.csv'), 'id\n3\n');
    const second = await waitFor(
      'the second arrival',
      async () => {
        const f = await firings('drop-files');
        return f.total === 2 ? f.items[0] : undefined;
      },
      30_000,
    );
    const run2 = (await runOf(second.runId!)) as unknown as { params: { files: string; count: number } };
    expect((JSON.parse(run2.params.files) as { path: string }[]).map((f) => f.path)).toEqual(['c.csv']);
    // A file still being written (it grows between every two polls) waits until it stops changing.
    const growing = path.join(dir, 'd.csv');
    fs.writeFileSync(growing, 'id\n');
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      fs.appendFileSync(growing, `${i}\n`);
    }
    expect((await firings('drop-files')).total).toBe(2);
    const finalSize = fs.statSync(growing).size;
    const third = await waitFor(
      'the grown file to fire',
      async () => {
        const f = await firings('drop-files');
        return f.total === 3 ? f.items[0] : undefined;
      },
      30_000,
    );
    const run3 = (await runOf(third.runId!)) as unknown as { params: { files: string } };
    expect(JSON.parse(run3.params.files)).toEqual([{ path: 'd.csv', size: finalSize, modifiedAt: expect.any(String) }]);
    await host.call('DELETE', '/api/v1/triggers/drop-files', { token: admin });
  }, 90_000);

  it('workflow-as-code: triggers declared in the file are applied after its workflows, exported with them, and round-trip', async () => {
    const file = [
      'apiVersion: flowforge.io/v1',
      'kind: Workflow',
      'metadata: { name: declared-wf }',
      'spec:',
      '  parameters: [{ name: order, type: string, default: "" }]',
      '  steps: [{ id: one, job: nothing }]',
      '---',
      'apiVersion: flowforge.io/v1',
      'kind: Trigger',
      'metadata: { name: declared-hook, description: orders from the shop }',
      'spec:',
      '  workflow: declared-wf',
      '  type: webhook',
      '  config: { auth: hmac }',
      '  params: { order: "${payload.order}" }',
      '',
    ].join('\n');
    const yamlPost = (text: string, token?: string): Promise<Response> => host.applyYaml(text, token);

    // A caller who may create workflows but not triggers is refused before anything is applied.
    const narrow = await host.scopedToken(['workflow:create', 'workflow:view']);
    const refused = await yamlPost(file, narrow);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('trigger:edit');
    expect((await host.call('GET', '/api/v1/workflows/declared-wf', { token: admin })).status).toBe(404);

    try {
      const applied = await yamlPost(file);
      const body = (await applied.json()) as { documents: { kind: string; name: string; status: string; secret?: string }[] };
      expect(applied.status).toBe(200);
      expect(body.documents.map((d) => `${d.kind} ${d.name} ${d.status}`)).toEqual(['Workflow declared-wf created', 'Trigger declared-hook created']);
      const secret = body.documents[1]!.secret!;
      expect(secret).toMatch(/^whsec_/);
      const trigger = await host.call<Trigger>('GET', '/api/v1/triggers/declared-hook', { token: admin });
      expect(trigger.body).toMatchObject({ workflow: 'declared-wf', config: { auth: 'hmac', secret: { set: true } } });
      // The secret it answered once signs deliveries.
      const delivery = JSON.stringify({ order: 'o-1' });
      const ts = Math.floor(Date.now() / 1000);
      const hook = await post(trigger.body.hookPath!, delivery, {
        'content-type': 'application/json',
        'x-flowforge-timestamp': String(ts),
        'x-flowforge-signature': sign(secret, ts, delivery),
      });
      expect(hook.status).toBe(202);

      const exported = await fetch(`${host.base}/api/v1/workflows/export?workflow=declared-wf`, { headers: { authorization: `Bearer ${admin}` } });
      expect(exported.status).toBe(200);
      const text = await exported.text();
      expect(text).toContain('kind: Trigger');
      expect(text).toContain('name: declared-hook');
      expect(text).toContain('set: true');
      // export -> apply -> export: the same text, the secret kept.
      const again = await yamlPost(text);
      expect(again.status).toBe(200);
      const reexported = await (
        await fetch(`${host.base}/api/v1/workflows/export?workflow=declared-wf`, { headers: { authorization: `Bearer ${admin}` } })
      ).text();
      expect(reexported).toBe(text);
      const stillSigned = await post(trigger.body.hookPath!, JSON.stringify({ order: 'o-2' }), {
        'content-type': 'application/json',
        'x-flowforge-timestamp': String(ts + 1),
        'x-flowforge-signature': sign(secret, ts + 1, JSON.stringify({ order: 'o-2' })),
      });
      expect(stillSigned.status).toBe(202);

      // A trigger its service refuses is named, with what was applied before it; errors keep the file's lines.
      const bad = await yamlPost(file.replace('type: webhook', 'type: carrier-pigeon'));
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
      const problem = (await bad.json()) as { detail: string };
      expect(problem.detail).toContain('Trigger "declared-hook"');
      expect(problem.detail).toContain('applied before it: Workflow declared-wf');
      const badLine = await yamlPost(file.replace('job: nothing', 'job: nothing-at-all'));
      expect(badLine.status).toBe(400);
      expect(((await badLine.json()) as { detail: string }).detail).toMatch(/line 6/);
    } finally {
      await host.call('DELETE', '/api/v1/triggers/declared-hook', { token: admin });
    }
  }, 60_000);
});
