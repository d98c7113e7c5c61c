import { randomUUID } from 'node:crypto';
import type { Queryable } from '@flowforge/db';
import { DeadLetterHeaders, type EventBus, type EventContext, type Subscription } from '../event-bus.port';
import { BusTestEventDef, type BusTestEvent } from './bus-test.event';

/** A transaction on the database the producing service uses (for Postgres, the bus's database). */
export interface HarnessTransaction {
  tx: Queryable;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface StoredRecord {
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * What an adapter must provide to run the contract suite. One harness serves the whole suite; every
 * case uses its own topics and groups.
 */
export interface EventBusHarness {
  /** A new bus instance on the shared backend; members of one group on different buses compete. */
  createBus(): Promise<EventBus>;
  /** Appends bytes the codec would never write (corrupt-frame case). */
  injectRawFrame(topic: string, key: string, frame: Buffer): Promise<void>;
  /** Every record of a topic as stored (DLQ inspection when the payload does not decode). */
  readTopic(topic: string): Promise<StoredRecord[]>;
  /** Crashes a bus: no graceful release, its in-flight transactions die with its connections. */
  kill(bus: EventBus): Promise<void>;
  /** Opens a transaction on the service database (publish-with-tx cases). */
  begin(): Promise<HarnessTransaction>;
  /** Plain queries on the service database (tables that handlers write through ctx.tx). */
  db: Queryable;
  /**
   * The consumer groups the backend keeps any state for on a topic (offsets, members), as the port names
   * them: a broadcast subscription's group shows with its per-replica suffix (`<prefix>.<suffix>`).
   */
  groupsOf(topic: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Deadline for conditions that should become true; failing it fails the test with `what`. */
async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const uniq = (): string => randomUUID().slice(0, 8);

/**
 * The promises of the EventBus port (event-bus.port.ts), asserted against a real backend. Every
 * adapter calls this once (Kestra's JdbcQueueTest pattern); a case that fails here is a broken bus.
 */
export function describeEventBusContract(name: string, makeHarness: () => Promise<EventBusHarness>): void {
  describe(`EventBus contract: ${name}`, () => {
    let h: EventBusHarness;
    let buses: EventBus[] = [];
    const killed = new Set<EventBus>();

    const newBus = async (): Promise<EventBus> => {
      const bus = await h.createBus();
      buses.push(bus);
      return bus;
    };
    const topicFor = (c: string): string => `flowforge.test.${c}.${uniq()}`;
    const handledRows = async (test: string): Promise<{ total: number; distinct: number }> => {
      const { rows } = await h.db.query<{ total: string; distinct: string }>(
        `SELECT count(*)::text AS total, count(DISTINCT event_id)::text AS distinct FROM bus_contract_handled WHERE test = $1`,
        [test],
      );
      return { total: Number(rows[0]!.total), distinct: Number(rows[0]!.distinct) };
    };
    const recordHandled = (ctx: EventContext, test: string, ev: BusTestEvent, member: string): Promise<unknown> =>
      ctx.tx.query(`INSERT INTO bus_contract_handled (test, event_id, seq, member) VALUES ($1, $2, $3, $4)`, [test, ev.eventId, ev.seq, member]);

    beforeAll(async () => {
      h = await makeHarness();
      await h.db.query(`CREATE TABLE IF NOT EXISTS bus_contract_handled (test text NOT NULL, event_id uuid NOT NULL, seq int NOT NULL, member text NOT NULL)`);
    });

    afterEach(async () => {
      await Promise.all(buses.filter((b) => !killed.has(b)).map((b) => b.close()));
      buses = [];
    });

    afterAll(async () => {
      await h?.cleanup();
    });

    it('delivers the events of one key in publish order (single and batch publishes)', async () => {
      const topic = topicFor('order');
      const bus = await newBus();
      const seen = new Map<string, number[]>();
      await bus.subscribe(BusTestEventDef, { group: 'order', topic }, async (ev) => {
        seen.set(ev.key, [...(seen.get(ev.key) ?? []), ev.seq]);
      });
      const keys = ['run-a', 'run-b', 'run-c'];
      for (let seq = 0; seq < 100; seq++) {
        for (const key of keys) await bus.publish(BusTestEventDef, { seq, key }, { key, topic });
      }
      for (let start = 100; start < 200; start += 25) {
        const items = [];
        for (let seq = start; seq < start + 25; seq++) for (const key of keys) items.push({ key, event: { seq, key } });
        await bus.publishMany(BusTestEventDef, items, { topic });
      }
      await waitFor('600 events', () => keys.every((k) => (seen.get(k)?.length ?? 0) >= 200));
      const expected = Array.from({ length: 200 }, (_, i) => i);
      for (const k of keys) expect(seen.get(k)).toEqual(expected);
    });

    it('gives every consumer group every event', async () => {
      const topic = topicFor('groups');
      const bus = await newBus();
      const got = { billing: new Set<string>(), audit: new Set<string>() };
      for (const group of ['billing', 'audit'] as const) {
        await bus.subscribe(BusTestEventDef, { group, topic }, async (ev) => {
          got[group].add(ev.eventId);
        });
      }
      const published = await bus.publishMany(
        BusTestEventDef,
        Array.from({ length: 50 }, (_, seq) => ({ key: `k${seq % 7}`, event: { seq, key: `k${seq % 7}` } })),
        { topic },
      );
      await waitFor('both groups got 50', () => got.billing.size === 50 && got.audit.size === 50);
      const ids = new Set(published.map((e) => e.eventId));
      expect(got.billing).toEqual(ids);
      expect(got.audit).toEqual(ids);
    });

    it('lets one group subscribe to several topics, from one process or two, each topic getting its own events', async () => {
      const topics = [topicFor('multi-a'), topicFor('multi-b'), topicFor('multi-c')];
      const [one, two] = [await newBus(), await newBus()];
      const got = new Map<string, number[]>(topics.map((t) => [t, []]));
      // A service's handlers: one group, a subscription per topic, spread over two replicas.
      for (const [i, topic] of topics.entries()) {
        await (i === 2 ? two : one).subscribe(BusTestEventDef, { group: 'service', topic }, async (ev, ctx) => {
          got.get(ctx.topic)!.push(ev.seq);
        });
      }
      for (const [i, topic] of topics.entries()) await one.publish(BusTestEventDef, { seq: i, key: 'k' }, { key: 'k', topic });
      await waitFor('each topic handled', () => topics.every((t) => got.get(t)!.length === 1));
      expect(topics.map((t) => got.get(t))).toEqual([[0], [1], [2]]);
    });

    it('splits the work between competing members of a group, each event handled exactly once', async () => {
      const topic = topicFor('compete');
      const test = `compete-${uniq()}`;
      const perMember = new Map<string, number>();
      const handledIds: string[] = [];
      for (const member of ['m1', 'm2', 'm3']) {
        perMember.set(member, 0);
        const bus = await newBus();
        await bus.subscribe(BusTestEventDef, { group: 'workers', topic }, async (ev, ctx) => {
          await recordHandled(ctx, test, ev, member);
          perMember.set(member, perMember.get(member)! + 1);
          handledIds.push(ev.eventId);
        });
      }
      const publisher = await newBus();
      // Members join and rebalance asynchronously; publish rounds until everyone has had work.
      let published = 0;
      for (let round = 0; round < 40 && [...perMember.values()].some((n) => n === 0); round++) {
        await publisher.publishMany(
          BusTestEventDef,
          Array.from({ length: 40 }, (_, i) => ({ key: `run-${published + i}`, event: { seq: published + i, key: `run-${published + i}` } })),
          { topic },
        );
        published += 40;
        const target = published;
        await waitFor(`${target} handled`, async () => (await handledRows(test)).distinct >= target);
      }
      for (const [member, n] of perMember) expect({ member, handledSome: n > 0 }).toEqual({ member, handledSome: true });
      expect(await handledRows(test)).toEqual({ total: published, distinct: published });
      expect(new Set(handledIds).size).toBe(published);
    });

    it('retries a failing handler with increasing attempt, dead-letters it with the error, and moves on', async () => {
      const topic = topicFor('retry');
      const bus = await newBus();
      const test = `retry-${uniq()}`;
      const attempts: number[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'retry', topic, maxAttempts: 3, backoffMs: 20 }, async (ev, ctx) => {
        if (ev.seq === 1) {
          attempts.push(ctx.attempt);
          throw Object.assign(new Error(`boom on seq ${ev.seq}`), { code: 'TEST_BOOM' });
        }
        // Committed effects are what count: an adapter may replay (rolled back) neighbours of a failure.
        await recordHandled(ctx, test, ev, 'only');
      });
      let handled: number[] = [];
      const committedSeqs = async (): Promise<number[]> =>
        (handled = (await h.db.query<{ seq: number }>(`SELECT seq FROM bus_contract_handled WHERE test = $1 ORDER BY seq`, [test])).rows.map((r) => r.seq));
      const dead: { event: BusTestEvent; headers: Record<string, string> }[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'dlq-reader', topic: `${topic}.dlq` }, async (event, ctx) => {
        dead.push({ event, headers: ctx.headers });
      });
      const events = [];
      for (let seq = 0; seq < 3; seq++) events.push(await bus.publish(BusTestEventDef, { seq, key: 'same' }, { key: 'same', topic }));
      await waitFor('seq 2 handled and seq 1 dead-lettered', async () => (await committedSeqs()).includes(2) && dead.length === 1);
      expect(handled).toEqual([0, 2]);
      expect(attempts).toEqual([1, 2, 3]);
      const { event, headers } = dead[0]!;
      expect(event.eventId).toBe(events[1]!.eventId);
      expect(event.seq).toBe(1);
      expect(headers[DeadLetterHeaders.error]).toContain('boom on seq 1');
      expect(headers[DeadLetterHeaders.errorCode]).toBe('TEST_BOOM');
      expect(headers[DeadLetterHeaders.originalTopic]).toBe(topic);
      expect(headers[DeadLetterHeaders.group]).toBe('retry');
      expect(headers[DeadLetterHeaders.attempts]).toBe('3');
      expect(headers[DeadLetterHeaders.originalOffset]).toMatch(/^\d+$/);
      expect(headers[DeadLetterHeaders.originalPartition]).toMatch(/^\d+$/);
      // Later events still flow after the dead letter.
      await bus.publish(BusTestEventDef, { seq: 3, key: 'same' }, { key: 'same', topic });
      await waitFor('seq 3 handled', async () => (await committedSeqs()).includes(3));
      expect(handled).toEqual([0, 2, 3]);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('dead-letters an event that always fails once maxRetryMs is spent, backing off no longer than maxBackoffMs, then delivers the events behind it on its key', async () => {
      const topic = topicFor('poison');
      const bus = await newBus();
      const test = `poison-${uniq()}`;
      // Attempts to spare: only the time bound can end this one (the audit stall of the issue).
      const policy = { maxAttempts: 1_000, backoffMs: 50, maxBackoffMs: 200, maxRetryMs: 3_000 };
      const attempts: { attempt: number; at: number }[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'poison', topic, ...policy }, async (ev, ctx) => {
        if (ev.seq === 0) {
          attempts.push({ attempt: ctx.attempt, at: Date.now() });
          throw Object.assign(new Error('cannot store row: value contains \u0000'), { code: 'TEST_POISON' });
        }
        await recordHandled(ctx, test, ev, 'only');
      });
      const dead: { headers: Record<string, string>; at: number }[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'dlq-reader', topic: `${topic}.dlq` }, async (_event, ctx) => {
        dead.push({ headers: ctx.headers, at: Date.now() });
      });
      for (let seq = 0; seq < 4; seq++) await bus.publish(BusTestEventDef, { seq, key: 'audit' }, { key: 'audit', topic });
      let handled: number[] = [];
      await waitFor('the events behind the poisoned one handled', async () => {
        handled = (await h.db.query<{ seq: number }>(`SELECT seq FROM bus_contract_handled WHERE test = $1 ORDER BY seq`, [test])).rows.map((r) => r.seq);
        return handled.length === 3 && dead.length === 1;
      });
      expect(handled).toEqual([1, 2, 3]);
      const first = attempts[0]!.at;
      const last = attempts[attempts.length - 1]!.at;
      // No attempt starts later than maxRetryMs after the first failure (a few ms of bookkeeping aside)...
      expect(last - first).toBeLessThanOrEqual(policy.maxRetryMs + 500);
      // ...and the doubling stopped at the cap: uncapped, 50 ms doubled fits 6 attempts in 3 s (at 0, 50,
      // 150, 350, 750, 1550 ms); capped at 200 ms about 16, so 8 holds even on a loaded machine.
      expect(attempts.length).toBeGreaterThanOrEqual(8);
      expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_a, i) => i + 1));
      for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeLessThan(policy.maxBackoffMs + 1_000);
      expect(dead[0]!.headers[DeadLetterHeaders.attempts]).toBe(String(attempts.length));
      expect(dead[0]!.headers[DeadLetterHeaders.errorCode]).toBe('TEST_POISON');
      // The NUL of the error message is replaced: PostgreSQL refuses it in text and jsonb.
      expect(dead[0]!.headers[DeadLetterHeaders.error]).toBe('cannot store row: value contains \uFFFD');
    });

    it('keeps counting a failing event across a crash: the next owner goes on from the attempts already made', async () => {
      const topic = topicFor('retry-crash');
      const test = `retry-crash-${uniq()}`;
      const policy = { maxAttempts: 6, backoffMs: 20, maxBackoffMs: 100, maxRetryMs: 60_000 };
      const victim = await newBus();
      const inThird = deferred();
      const never = deferred();
      const victimAttempts: number[] = [];
      await victim.subscribe(BusTestEventDef, { group: 'retry-crash', topic, ...policy }, async (ev, ctx) => {
        if (ev.seq !== 0) return;
        victimAttempts.push(ctx.attempt);
        // The process dies during its third attempt (a handler that takes the process down).
        if (ctx.attempt === 3) {
          inThird.resolve();
          await never.promise;
        }
        throw new Error('always fails');
      });
      const publisher = await newBus();
      for (let seq = 0; seq < 2; seq++) await publisher.publish(BusTestEventDef, { seq, key: 'k' }, { key: 'k', topic });
      await inThird.promise;
      const survivorAttempts: number[] = [];
      const survivor = await newBus();
      await survivor.subscribe(BusTestEventDef, { group: 'retry-crash', topic, ...policy }, async (ev, ctx) => {
        if (ev.seq === 0) {
          survivorAttempts.push(ctx.attempt);
          throw new Error('always fails');
        }
        await recordHandled(ctx, test, ev, 'survivor');
      });
      const dead: Record<string, string>[] = [];
      await survivor.subscribe(BusTestEventDef, { group: 'dlq-reader', topic: `${topic}.dlq` }, async (_event, ctx) => {
        dead.push(ctx.headers);
      });
      await h.kill(victim);
      killed.add(victim);
      never.resolve();
      await waitFor('seq 1 handled after the dead letter', async () => (await handledRows(test)).total === 1 && dead.length === 1);
      expect(victimAttempts).toEqual([1, 2, 3]);
      // A restart that started the count over would show 1, 2, ... here.
      expect(survivorAttempts).toEqual([4, 5, 6]);
      expect(dead[0]![DeadLetterHeaders.attempts]).toBe('6');
    });

    it('gives every broadcast subscriber every event published after it subscribed, none from before, and forgets its group on close', async () => {
      const topic = topicFor('broadcast');
      const [one, two] = [await newBus(), await newBus()];
      // An event in the log before the broadcast subscribers exist; a plain group shows it got there.
      await one.publish(BusTestEventDef, { seq: 0, key: 'k' }, { key: 'k', topic });
      const witness: number[] = [];
      await one.subscribe(BusTestEventDef, { group: 'witness', topic }, async (ev) => {
        witness.push(ev.seq);
      });
      await waitFor('the earlier event is in the log', () => witness.includes(0));
      const got = { one: [] as number[], two: [] as number[] };
      const subOne = await one.subscribe(BusTestEventDef, { group: 'revocations', topic, broadcast: true }, async (ev) => {
        got.one.push(ev.seq);
      });
      const subTwo = await two.subscribe(BusTestEventDef, { group: 'revocations', topic, broadcast: true }, async (ev) => {
        got.two.push(ev.seq);
      });
      const replicaGroups = async (): Promise<string[]> => (await h.groupsOf(topic)).filter((g) => g.startsWith('revocations.'));
      const open = await replicaGroups();
      // One group per replica, named after the prefix: neither shares offsets nor inbox with the other.
      expect(open).toHaveLength(2);
      expect(new Set(open).size).toBe(2);
      // Seq 1 shares the key (and so the partition) of seq 0, behind it: had seq 0 been due, it came first.
      await two.publish(BusTestEventDef, { seq: 1, key: 'k' }, { key: 'k', topic });
      await one.publish(BusTestEventDef, { seq: 2, key: 'other' }, { key: 'other', topic });
      await waitFor('both replicas got both later events', () => got.one.length >= 2 && got.two.length >= 2);
      expect([...got.one].sort()).toEqual([1, 2]);
      expect([...got.two].sort()).toEqual([1, 2]);
      await subOne.close();
      await subTwo.close();
      expect(await replicaGroups()).toEqual([]);
      // A plain group keeps its state on close (a new member resumes it).
      expect(await h.groupsOf(topic)).toContain('witness');
    });

    it('refuses retry options that could stall a consumer or make no sense, naming the option', async () => {
      const bus = await newBus();
      const topic = topicFor('options');
      const handler = async (): Promise<void> => undefined;
      await expect(bus.subscribe(BusTestEventDef, { group: 'o', topic, maxAttempts: 0 }, handler)).rejects.toThrow(/FF_BUS_INVALID_OPTIONS: maxAttempts/);
      await expect(bus.subscribe(BusTestEventDef, { group: 'o', topic, maxBackoffMs: -1 }, handler)).rejects.toThrow(/FF_BUS_INVALID_OPTIONS: maxBackoffMs/);
      await expect(bus.subscribe(BusTestEventDef, { group: 'o', topic, maxRetryMs: Number.POSITIVE_INFINITY }, handler)).rejects.toThrow(
        /FF_BUS_INVALID_OPTIONS: maxRetryMs/,
      );
    });

    it('handles a redelivered event (same eventId) once per group', async () => {
      const topic = topicFor('dedupe');
      const bus = await newBus();
      const calls: string[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'dedupe', topic }, async (ev) => {
        calls.push(`${ev.seq}:${ev.eventId}`);
      });
      const eventId = randomUUID();
      await bus.publish(BusTestEventDef, { eventId, seq: 0, key: 'k' }, { key: 'k', topic });
      await bus.publish(BusTestEventDef, { eventId, seq: 0, key: 'k' }, { key: 'k', topic });
      await bus.publishMany(BusTestEventDef, [{ key: 'k', event: { eventId, seq: 0, key: 'k' } }], { topic });
      const sentinel = await bus.publish(BusTestEventDef, { seq: 1, key: 'k' }, { key: 'k', topic });
      await waitFor('sentinel handled', () => calls.includes(`1:${sentinel.eventId}`));
      expect(calls).toEqual([`0:${eventId}`, `1:${sentinel.eventId}`]);
    });

    it('delivers a publish iff its transaction commits', async () => {
      const topic = topicFor('outbox');
      const bus = await newBus();
      const seqs: number[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'outbox', topic }, async (ev) => {
        seqs.push(ev.seq);
      });
      const rolledBack = await h.begin();
      await bus.publish(BusTestEventDef, { seq: 0, key: 'k' }, { key: 'k', topic, tx: rolledBack.tx });
      await rolledBack.rollback();
      const committed = await h.begin();
      await bus.publish(BusTestEventDef, { seq: 1, key: 'k' }, { key: 'k', topic, tx: committed.tx });
      await committed.commit();
      const batch = await h.begin();
      await bus.publishMany(
        BusTestEventDef,
        [
          { key: 'k', event: { seq: 2, key: 'k' } },
          { key: 'k', event: { seq: 3, key: 'k' } },
        ],
        {
          topic,
          tx: batch.tx,
        },
      );
      await batch.rollback();
      // Same key = same partition: the rolled-back events would come before the sentinel.
      await bus.publish(BusTestEventDef, { seq: 4, key: 'k' }, { key: 'k', topic });
      await waitFor('sentinel handled', () => seqs.includes(4));
      expect(seqs).toEqual([1, 4]);
    });

    it('loses nothing when a consumer is killed mid-batch; the inbox keeps it exactly once', async () => {
      const topic = topicFor('crash');
      const test = `crash-${uniq()}`;
      const victim = await newBus();
      const blocked = deferred();
      const unblock = deferred();
      const victimSeqs: number[] = [];
      await victim.subscribe(BusTestEventDef, { group: 'crash', topic }, async (ev, ctx) => {
        await recordHandled(ctx, test, ev, 'victim');
        victimSeqs.push(ev.seq);
        if (ev.seq === 30) {
          blocked.resolve();
          await unblock.promise;
        }
      });
      const publisher = await newBus();
      const N = 100;
      await publisher.publishMany(
        BusTestEventDef,
        Array.from({ length: N }, (_, seq) => ({ key: 'one-key', event: { seq, key: 'one-key' } })),
        { topic },
      );
      await blocked.promise;
      const survivorSeqs: number[] = [];
      const survivor = await newBus();
      await survivor.subscribe(BusTestEventDef, { group: 'crash', topic }, async (ev, ctx) => {
        await recordHandled(ctx, test, ev, 'survivor');
        survivorSeqs.push(ev.seq);
      });
      await h.kill(victim);
      killed.add(victim);
      unblock.resolve();
      await waitFor(`${N} handled after the crash`, async () => (await handledRows(test)).distinct >= N);
      expect(victimSeqs).toContain(30);
      // The batch the victim was in when it died was rolled back and redone by the survivor.
      expect(survivorSeqs).toContain(30);
      expect(await handledRows(test)).toEqual({ total: N, distinct: N });
      expect(survivorSeqs).toEqual([...survivorSeqs].sort((a, b) => a - b));
    });

    it('dead-letters frames that are not Avro or name an unknown schema id, with the reason, and keeps consuming', async () => {
      const topic = topicFor('corrupt');
      const bus = await newBus();
      const seqs: number[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'corrupt', topic }, async (ev) => {
        seqs.push(ev.seq);
      });
      await bus.publish(BusTestEventDef, { seq: 0, key: 'k' }, { key: 'k', topic });
      const garbage = Buffer.from([7, 1, 2, 3, 4, 5, 6]);
      await h.injectRawFrame(topic, 'k', garbage);
      // Confluent framing (magic byte 0) with a schema id no registry has ever handed out.
      const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 2, 4, 6]);
      await h.injectRawFrame(topic, 'k', unknownId);
      await bus.publish(BusTestEventDef, { seq: 1, key: 'k' }, { key: 'k', topic });
      await waitFor('seq 1 handled', () => seqs.includes(1));
      expect(seqs).toEqual([0, 1]);
      let dead: StoredRecord[] = [];
      await waitFor('dead letters stored', async () => (dead = await h.readTopic(`${topic}.dlq`)).length === 2);
      expect(dead[1]!.payload.equals(unknownId)).toBe(true);
      expect(dead[1]!.headers[DeadLetterHeaders.errorCode]).toBe('FF_EVENT_DECODE');
      expect(dead[1]!.headers[DeadLetterHeaders.error]).toMatch(/unknown schema id 2147483393/);
      expect(dead[0]!.payload.equals(garbage)).toBe(true);
      expect(dead[0]!.key).toBe('k');
      expect(dead[0]!.headers[DeadLetterHeaders.errorCode]).toBe('FF_EVENT_DECODE');
      expect(dead[0]!.headers[DeadLetterHeaders.error]).toMatch(/FF_EVENT_DECODE/);
      expect(dead[0]!.headers[DeadLetterHeaders.originalTopic]).toBe(topic);
      expect(dead[0]!.headers[DeadLetterHeaders.group]).toBe('corrupt');
    });

    it('lets the in-flight handler finish and commit on graceful close', async () => {
      const topic = topicFor('drain');
      const test = `drain-${uniq()}`;
      const bus = await newBus();
      const log: string[] = [];
      const started = deferred();
      const gate = deferred();
      const sub: Subscription = await bus.subscribe(BusTestEventDef, { group: 'drain', topic }, async (ev, ctx) => {
        log.push(`start ${ev.seq}`);
        started.resolve();
        await gate.promise;
        await recordHandled(ctx, test, ev, 'first');
        log.push(`end ${ev.seq}`);
      });
      await bus.publish(BusTestEventDef, { seq: 0, key: 'k' }, { key: 'k', topic });
      await started.promise;
      const closing = sub.close().then(() => log.push('closed'));
      await new Promise((r) => setImmediate(r));
      expect(log).toEqual(['start 0']);
      gate.resolve();
      await closing;
      expect(log).toEqual(['start 0', 'end 0', 'closed']);
      expect(await handledRows(test)).toEqual({ total: 1, distinct: 1 });
      // The offset was committed with the handler: a new member of the group resumes after it.
      const later: number[] = [];
      await bus.subscribe(BusTestEventDef, { group: 'drain', topic }, async (ev) => {
        later.push(ev.seq);
      });
      await bus.publish(BusTestEventDef, { seq: 1, key: 'k' }, { key: 'k', topic });
      await waitFor('seq 1 handled by the new member', () => later.includes(1));
      expect(later).toEqual([1]);
    });
  });
}
