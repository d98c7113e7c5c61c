import { Inject, Injectable } from '@nestjs/common';
import type { EventBus, EventContext, PublishManyItem } from '@flowforge/bus';
import type { EventDefinition, EventEnvelope, EventInput } from '@flowforge/contracts';
import { withTransaction, type Queryable } from '@flowforge/db';
import { EVENT_BUS } from '@flowforge/service-kit';
import type { Pool, PoolClient } from 'pg';

type PendingTopics = Map<string, { def: EventDefinition<EventEnvelope>; items: PublishManyItem<EventEnvelope>[] }>;

/** The transaction of a bus handler: `beforeCommit` when the bus runs several handlers in it. */
export type HandlerTransaction = Pick<EventContext, 'tx' | 'beforeCommit'>;

/**
 * The events the engine publishes (RunStateChanged, StepDispatched, StepCancelRequested), held until
 * the transaction's work is done, then published together — one publishMany per topic, topics in name
 * order — just before it commits: at the end of an HTTP command or a sweep, and for bus handlers after
 * the last handler of the batch (EventContext.beforeCommit), or at the end of each handler on a bus
 * without it.
 *
 * Why: a publish on the Postgres bus locks its partition's head row until the transaction ends, so every
 * other transaction publishing to that partition waits for this one. Publishing as it went, a run's
 * transaction held the heads while it locked runs and read steps, and a batch of step events held them
 * across all its handlers; new runs of that partition queued behind it (measured: run creation at
 * 20-30/s, handlers at 40-100 ms/event) and, with the handlers publishing in another order, deadlocked.
 * Published last, the heads are held for the commit only, and always taken in the same order. Still
 * atomic: the events are written in the transaction, so they exist if and only if the change commits.
 */
@Injectable()
export class RunOutbox {
  /** Transactions inside within()/handle(), by their client: where add() puts events. */
  private readonly open = new WeakMap<object, { depth: number; topics: PendingTopics }>();
  /** A bus batch's events, by its beforeCommit function (one per transaction: nothing outlives it). */
  private readonly batches = new WeakMap<object, PendingTopics>();
  /** Work to do once a transaction's events are published (metrics), by its pending topics. */
  private readonly published = new WeakMap<PendingTopics, (() => void)[]>();

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  /**
   * A transaction of its own on `pool`, its events published at its end. Not retried on a deadlock: the
   * engine's lock order leaves none to retry (services/orchestrator/README.md, "Lock order").
   */
  transaction<R>(pool: Pool, fn: (tx: PoolClient) => Promise<R>): Promise<R> {
    return withTransaction(pool, (tx) => this.within(tx, () => fn(tx)));
  }

  /**
   * Runs `fn` inside the caller's transaction `tx`, then publishes what it added. Nested calls publish
   * once, at the outermost end; when `fn` throws, its events are dropped (the transaction rolls back).
   */
  within<R>(tx: Queryable, fn: () => Promise<R>): Promise<R> {
    return this.collect(tx, fn, (topics) => this.flush(tx, topics));
  }

  /**
   * A bus handler's body: its events are published by the bus's beforeCommit, together with those of
   * the other handlers of the batch — or at its end when the bus has no beforeCommit.
   */
  handle<R>(ctx: HandlerTransaction, fn: () => Promise<R>): Promise<R> {
    const { tx, beforeCommit } = ctx;
    if (!beforeCommit) return this.within(tx, fn);
    let batch = this.batches.get(beforeCommit);
    if (!batch) {
      const topics: PendingTopics = new Map();
      this.batches.set(beforeCommit, topics);
      beforeCommit(() => this.flush(tx, topics));
      batch = topics;
    }
    return this.collect(tx, fn, async () => undefined, batch);
  }

  add<T extends EventEnvelope>(tx: Queryable, def: EventDefinition<T>, event: EventInput<T>, opts: { key: string; topic?: string }): void {
    // The fact's time is now, not when the transaction gets to publishing it.
    this.addMany(tx, def, [{ key: opts.key, event: { occurredAt: Date.now(), ...event } }], opts.topic);
  }

  addMany<T extends EventEnvelope>(tx: Queryable, def: EventDefinition<T>, items: PublishManyItem<T>[], topic = def.topic): void {
    const open = this.open.get(tx);
    if (!open) {
      // A publish outside within()/handle() would never be flushed: refuse it loudly rather than lose it.
      throw new Error(`FF_OUTBOX_UNSCOPED: ${def.name} added outside RunOutbox.within/handle/transaction; it would never be published`);
    }
    const pending = open.topics.get(topic) ?? { def: def as unknown as EventDefinition<EventEnvelope>, items: [] };
    pending.items.push(...(items as unknown as PublishManyItem<EventEnvelope>[]));
    open.topics.set(topic, pending);
  }

  /**
   * Runs `fn` when the events of `tx` are published, just before it commits: counts metrics once per
   * committed change, not per try of a transaction that is retried or rolled back. Outside
   * within()/handle() it runs at once (nothing to wait for).
   */
  onPublished(tx: Queryable, fn: () => void): void {
    const open = this.open.get(tx);
    if (!open) return fn();
    const list = this.published.get(open.topics) ?? [];
    list.push(fn);
    this.published.set(open.topics, list);
  }

  private async collect<R>(tx: Queryable, fn: () => Promise<R>, publish: (topics: PendingTopics) => Promise<void>, into?: PendingTopics): Promise<R> {
    let open = this.open.get(tx);
    let mark: Map<string, number> | null = null;
    let publishedMark = 0;
    if (!open) {
      open = { depth: 0, topics: into ?? new Map() };
      this.open.set(tx, open);
      // What the batch held before this handler: a handler that throws adds nothing, even when its
      // caller catches the error and the batch goes on.
      mark = new Map([...open.topics].map(([topic, p]) => [topic, p.items.length]));
      publishedMark = this.published.get(open.topics)?.length ?? 0;
    }
    open.depth++;
    let ok = false;
    try {
      const result = await fn();
      ok = true;
      return result;
    } finally {
      open.depth--;
      if (open.depth === 0) {
        // The pooled client carries other transactions next: nothing may stay attached to it.
        this.open.delete(tx);
        if (ok) {
          await publish(open.topics);
        } else if (mark) {
          for (const [topic, p] of open.topics) {
            const kept = mark.get(topic);
            if (kept === undefined) open.topics.delete(topic);
            else p.items.length = kept;
          }
          const done = this.published.get(open.topics);
          if (done) done.length = publishedMark;
        }
      }
    }
  }

  private async flush(tx: Queryable, topics: PendingTopics): Promise<void> {
    for (const topic of [...topics.keys()].sort()) {
      const { def, items } = topics.get(topic)!;
      await this.bus.publishMany(def, items, { tx, topic });
    }
    topics.clear();
    const done = this.published.get(topics);
    if (done) {
      this.published.delete(topics);
      for (const fn of done) fn();
    }
  }
}
