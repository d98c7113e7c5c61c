import { randomUUID } from 'node:crypto';
import type { EventBus } from '@flowforge/bus';
import { AuditRecorded } from '@flowforge/contracts';
import { AuditTrail, auditStreamKey, EVENT_BUS } from '@flowforge/service-kit';
import { createTestDatabase } from '@flowforge/testing';
import type { Actor } from '@flowforge/access';
import { startAuthHost, type AuthHost } from './auth-host';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Entry {
  seq: number;
  id: string;
  service: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  status: number | null;
  userAgent: string | null;
  changes: Record<string, unknown> | null;
}

const LONE_HIGH = '\uD800';

/**
 * The audit stream with values PostgreSQL cannot take as they are (the issue: a refused
 * `PUT /api/v1/jobs/a%00b` stalled every later audit entry), on the real host and bus.
 */
describe('audit stream', () => {
  let host: AuthHost;
  let admin: string;
  let trail: AuditTrail;
  let bus: EventBus;

  beforeAll(async () => {
    host = await startAuthHost(() => createTestDatabase('ff_auditstream'));
    admin = await host.adminToken();
    trail = host.app.get(AuditTrail, { strict: false });
    bus = host.app.get<EventBus>(EVENT_BUS, { strict: false });
  });

  afterAll(async () => {
    await host?.stop();
  });

  const entries = async (query = ''): Promise<Entry[]> => {
    const res = await host.call<{ items: Entry[] }>('GET', `/api/v1/audit/entries?limit=1000${query}`, { token: admin });
    expect(res.status).toBe(200);
    return res.body.items;
  };

  /** Polls the log until `done` holds (or `ms` pass), then returns the entries. */
  const until = async (done: (all: Entry[]) => boolean, ms = 10_000): Promise<Entry[]> => {
    const deadline = Date.now() + ms;
    let all = await entries();
    while (!done(all) && Date.now() < deadline) {
      await wait(100);
      all = await entries();
    }
    return all;
  };

  const verifyChain = async (): Promise<void> => {
    const verify = await host.call<{ ok: boolean; checked: number; lastSeq: number }>('GET', '/api/v1/audit/verify', { token: admin });
    expect(verify.body).toMatchObject({ ok: true });
    const { rows } = await host.pool.query<{ n: string; max: string }>(`SELECT count(*) AS n, max(seq) AS max FROM ff_auth.audit_log`);
    // Gapless: seq 1..n, every one checked.
    expect(Number(rows[0]!.max)).toBe(Number(rows[0]!.n));
    expect(verify.body.checked).toBe(Number(rows[0]!.n));
  };

  it('records a refused request with a NUL byte in its path escaped, and every later call promptly', async () => {
    const analyst = await host.userWith(['analyst']);
    const dev = await host.userWith(['developer']);
    const refused = await host.call('PUT', '/api/v1/jobs/a%00b', { token: analyst.token, body: { type: 'noop', config: {} } });
    expect(refused.status).toBe(403);
    const started = Date.now();
    // Other audited calls, by other actors and by the same one, after it.
    expect((await host.call('PUT', '/api/v1/jobs/after-nul', { token: dev.token, body: { type: 'noop', config: {} } })).status).toBe(201);
    expect((await host.call('POST', '/api/v1/auth/login', { body: { username: analyst.username, password: 'wrong-Password-1' } })).status).toBe(401);
    expect((await host.call('PUT', '/api/v1/jobs/also-refused', { token: analyst.token, body: { type: 'noop', config: {} } })).status).toBe(403);

    const all = await until(
      (es) =>
        es.some((e) => e.resourceId === 'a\\u0000b') &&
        es.some((e) => e.resourceId === 'after-nul' && e.action === 'job:edit') &&
        es.some((e) => e.resourceId === 'also-refused'),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    const nul = all.find((e) => e.resourceId === 'a\\u0000b');
    expect(nul).toMatchObject({ action: 'job:edit', outcome: 'denied', status: 403, actorName: analyst.username, resourceType: 'job' });
    expect(all.find((e) => e.resourceId === 'after-nul' && e.action === 'job:edit' && e.status === 201)).toMatchObject({
      outcome: 'success',
      actorName: dev.username,
    });
    expect(all.find((e) => e.resourceId === 'also-refused')).toMatchObject({ outcome: 'denied', actorName: analyst.username });
    expect(all.some((e) => e.action === 'auth:login' && e.outcome === 'denied' && e.seq > nul!.seq)).toBe(true);
    // The stored row itself holds the escaped text, and a search for it finds it.
    const { rows } = await host.pool.query<{ resource_id: string }>(`SELECT resource_id FROM ff_auth.audit_log WHERE id = $1`, [nul!.id]);
    expect(rows[0]!.resource_id).toBe('a\\u0000b');
    expect((await entries(`&resourceId=${encodeURIComponent('a\\u0000b')}`)).map((e) => e.id)).toEqual([nul!.id]);
    await verifyChain();
  });

  it('stores an event written before the fix (raw NUL, one shared key) escaped, and the entries behind it', async () => {
    const tag = randomUUID();
    // What an older producer left in the topic: unescaped values under the key every entry once shared.
    const poisoned = await bus.publish(
      AuditRecorded,
      {
        actor: `user-${tag}`,
        actorType: 'user',
        actorName: 'old\0producer',
        action: 'job:edit',
        resourceType: 'job',
        resourceId: `x\0${tag}`,
        outcome: 'denied',
        httpStatus: 403,
        ip: '127.0.0.1',
        userAgent: `ua ${LONE_HIGH}`,
        traceId: null,
        diff: JSON.stringify({ route: 'PUT /api/v1/jobs/:name', note: `n\0${LONE_HIGH}` }),
      },
      { key: 'audit' },
    );
    const behind = await bus.publish(
      AuditRecorded,
      {
        actor: `user-${tag}`,
        actorType: 'user',
        actorName: 'next',
        action: 'job:view',
        resourceType: 'job',
        resourceId: `behind-${tag}`,
        outcome: 'success',
        httpStatus: 200,
        ip: null,
        userAgent: null,
        traceId: null,
        diff: null,
      },
      { key: 'audit' },
    );
    const all = await until((es) => es.some((e) => e.id === behind.eventId));
    const stored = all.find((e) => e.id === poisoned.eventId);
    expect(stored).toMatchObject({
      actorName: 'old\\u0000producer',
      resourceId: `x\\u0000${tag}`,
      changes: { route: 'PUT /api/v1/jobs/:name', note: 'n\\u0000\uFFFD' },
    });
    // Unsanitised, the Avro encoder writes the lone surrogate as three bytes that decode as three U+FFFD.
    expect(stored!.userAgent).toMatch(/^ua \uFFFD+$/);
    expect(stored!.seq).toBeLessThan(all.find((e) => e.id === behind.eventId)!.seq);
    await verifyChain();
  });

  it('stores an entry with a lone surrogate and a 1 MB field, bounded, and the chain verifies', async () => {
    const tag = randomUUID();
    const mb = 'm'.repeat(1024 * 1024);
    const actor: Actor = {
      type: 'user',
      id: `big-${tag}`,
      name: `big${LONE_HIGH}name`,
      userId: null,
      sessionId: null,
      ip: '127.0.0.1',
      userAgent: `${LONE_HIGH}${mb}`,
    };
    await trail.record({
      actor,
      action: 'job:edit',
      resourceType: 'job',
      resourceId: `${mb}-${tag}`,
      outcome: 'success',
      httpStatus: 201,
      changes: { field: mb, odd: `a${LONE_HIGH}b` },
    });
    const all = await until((es) => es.some((e) => e.actorId === `big-${tag}`));
    const entry = all.find((e) => e.actorId === `big-${tag}`)!;
    expect(entry.actorName).toBe('big\uFFFDname');
    expect(entry.userAgent!.startsWith('\uFFFDmmm')).toBe(true);
    expect(entry.userAgent!.length).toBeLessThanOrEqual(1024);
    expect(entry.userAgent).toMatch(/…\[truncated: \d+ characters\]$/);
    expect(entry.resourceId!.length).toBeLessThanOrEqual(512);
    expect(entry.resourceId).toMatch(/^m+…\[truncated: \d+ characters\]$/);
    const changes = entry.changes as { field: string; odd: string };
    expect(changes.odd).toBe('a\uFFFDb');
    expect(changes.field.length).toBeLessThanOrEqual(8192);
    expect(changes.field).toMatch(/…\[truncated: 1048576 characters\]$/);
    const { rows } = await host.pool.query<{ bytes: number }>(`SELECT pg_column_size(ff_auth.audit_log.*) AS bytes FROM ff_auth.audit_log WHERE id = $1`, [
      entry.id,
    ]);
    expect(rows[0]!.bytes).toBeLessThan(64 * 1024);
    await verifyChain();
  });

  it('chains entries from many actors, spread over partitions and published at once, into one gapless chain', async () => {
    const tag = randomUUID().slice(0, 8);
    const actors: Actor[] = Array.from({ length: 12 }, (_, i) => ({
      type: 'user',
      id: `conc-${tag}-${i}`,
      name: `conc-${i}`,
      userId: null,
      sessionId: null,
      ip: '127.0.0.1',
      userAgent: 'conc',
    }));
    const perActor = 15;
    await Promise.all(
      actors.map(async (actor) => {
        for (let n = 0; n < perActor; n++) {
          await trail.record({ actor, action: 'job:edit', resourceType: 'job', resourceId: `${actor.id}-${n}`, outcome: 'success', httpStatus: 201 });
        }
      }),
    );
    const { rows: partitions } = await host.pool.query<{ n: string }>(
      `SELECT count(DISTINCT partition) AS n FROM ff_bus.log WHERE topic = $1 AND key = ANY($2::text[])`,
      [AuditRecorded.topic, actors.map((a) => auditStreamKey(a))],
    );
    expect(Number(partitions[0]!.n)).toBeGreaterThan(1);
    const mine = (es: Entry[]) => es.filter((e) => e.actorId?.startsWith(`conc-${tag}-`));
    const all = await until((es) => mine(es).length === actors.length * perActor, 30_000);
    expect(mine(all)).toHaveLength(actors.length * perActor);
    // One actor's entries keep their order (one key, one partition).
    for (const actor of actors) {
      expect(
        mine(all)
          .filter((e) => e.actorId === actor.id)
          .map((e) => e.resourceId),
      ).toEqual(Array.from({ length: perActor }, (_, n) => `${actor.id}-${n}`));
    }
    await verifyChain();
  });

  it('records an event it cannot store as an audit:entry-unstorable entry, loudly, and keeps going', async () => {
    const tag = randomUUID();
    // Year -271821: JavaScript has it, PostgreSQL's timestamptz does not.
    const unstorable = await bus.publish(
      AuditRecorded,
      {
        occurredAt: -8.64e15,
        actor: `odd-${tag}`,
        actorType: 'user',
        actorName: 'odd',
        action: 'job:edit',
        resourceType: 'job',
        resourceId: `odd-${tag}`,
        outcome: 'success',
        httpStatus: 201,
        ip: null,
        userAgent: null,
        traceId: null,
        diff: null,
      },
      { key: `user:odd-${tag}` },
    );
    const next = await bus.publish(
      AuditRecorded,
      {
        actor: `odd-${tag}`,
        actorType: 'user',
        actorName: 'odd',
        action: 'job:edit',
        resourceType: 'job',
        resourceId: `next-${tag}`,
        outcome: 'success',
        httpStatus: 201,
        ip: null,
        userAgent: null,
        traceId: null,
        diff: null,
      },
      { key: `user:odd-${tag}` },
    );
    const all = await until((es) => es.some((e) => e.id === next.eventId));
    const placeholder = all.find((e) => e.id === unstorable.eventId);
    expect(placeholder).toMatchObject({
      action: 'audit:entry-unstorable',
      service: 'auth',
      outcome: 'error',
      resourceType: 'audit-entry',
      resourceId: unstorable.eventId,
      changes: { event: { actor: `odd-${tag}`, action: 'job:edit', resourceId: `odd-${tag}`, producer: 'embedded' } },
    });
    expect((placeholder!.changes as { error: { message: string } }).error.message).toBeTruthy();
    expect(placeholder!.seq).toBeLessThan(all.find((e) => e.id === next.eventId)!.seq);
    expect(host.logs.join('\n')).toContain(`FF_AUDIT_ENTRY_UNSTORABLE: audit event ${unstorable.eventId}`);
    await verifyChain();
  });
});
