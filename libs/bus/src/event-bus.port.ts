import type { EventDefinition, EventEnvelope, EventInput } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';

/**
 * EventBus port (Kestra's QueueInterface is the model). Adapters: PostgresEventBus (embedded default)
 * and KafkaEventBus (distributed). Services never know which one they were given; both pass
 * describeEventBusContract.
 *
 * Promises: at-least-once delivery; order per key within a topic; a publish made with `tx` exists
 * if and only if that transaction commits (transactional outbox); handlers run inside a transaction
 * that also records the inbox row, so a redelivered event is handled once per group; a handler that
 * keeps failing is dead-lettered to `<topic>.dlq` with the error and the partition moves on — after
 * maxAttempts or maxRetryMs, whichever comes first, counted across restarts and owner changes, so one
 * poisoned event holds its key back for a bounded time only; a frame that does not decode is
 * dead-lettered at once with the reason. A broadcast subscription gets every event published after it
 * subscribed, on every replica.
 */
export interface PublishOptions {
  /** Ordering key (run id, asset id...). Events with the same key are delivered in publish order. */
  key: string;
  /** The caller's open transaction. Without it the bus publishes in its own transaction. */
  tx?: Queryable;
  /** Overrides the definition's default topic (e.g. `flowforge.step.dispatched.ingestion`). */
  topic?: string;
  headers?: Record<string, string>;
}

/** One event of a `publishMany` batch. */
export interface PublishManyItem<T extends EventEnvelope> {
  event: EventInput<T>;
  key: string;
  headers?: Record<string, string>;
}

export interface PublishManyOptions {
  /** The caller's open transaction; the whole batch exists iff it commits. */
  tx?: Queryable;
  /** Overrides the definition's default topic for every event of the batch. */
  topic?: string;
}

export interface EventContext {
  topic: string;
  partition: number;
  /** Offset within the partition, as a decimal string (bigint-safe). */
  offset: string;
  key: string;
  headers: Record<string, string>;
  /** 1 on first delivery to this handler, incremented on each retry. */
  attempt: number;
  /**
   * The transaction the handler runs in. Writing state through it (and publishing with `tx: ctx.tx`)
   * makes the handler's effects commit atomically with the inbox row and the consumer offset.
   */
  tx: Queryable;
  /**
   * Registers work to run in `tx` after the last handler of the transaction and before the offset
   * commits — where a handler publishes what it gathered, so that the partition heads its publishes
   * lock (Postgres bus) are held for the commit only, not across the rest of the batch. A failure there
   * fails the last event handled (the events before it commit, it is retried alone). Offered by buses
   * that handle several events in one transaction (the Postgres bus); absent, do the work in the handler.
   */
  beforeCommit?: (work: () => Promise<void>) => void;
}

export type EventHandler<T extends EventEnvelope> = (event: T, ctx: EventContext) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group. Every group receives every event; members of one group share the partitions. */
  group: string;
  /** Overrides the definition's default topic. */
  topic?: string;
  /** Largest delay between two attempts: the doubling of backoffMs stops there (default 5 000). */
  maxBackoffMs?: number;
  /**
   * Longest time an event may keep failing, from its first failure (across restarts and owner changes):
   * once the next retry would start later than this, it is dead-lettered even with attempts left, so the
   * events behind it on its key flow again (default 60 000).
   */
  maxRetryMs?: number;
  /** Attempts before dead-lettering (default 5). */
  maxAttempts?: number;
  /** First retry delay in ms, doubled each attempt (default 200). */
  backoffMs?: number;
  /**
   * Every replica receives every event published after it subscribed: `group` is a prefix, the bus
   * appends a per-replica suffix and forgets the group when the replica is gone.
   */
  broadcast?: boolean;
}

export interface Subscription {
  /** Stops fetching, finishes the in-flight event, releases partitions. */
  close(): Promise<void>;
}

export interface TopicOptions {
  partitions?: number;
  retentionMs?: number;
}

export interface EventBus {
  /** Publishes one event; fills eventId/occurredAt/producer/traceparent/schemaVersion when absent. */
  publish<T extends EventEnvelope>(def: EventDefinition<T>, event: EventInput<T>, opts: PublishOptions): Promise<T>;
  /**
   * Publishes a batch atomically (all or none), keeping per-key order as given. Same semantics as
   * calling `publish` for each item in one transaction, but with one round of writes per batch.
   */
  publishMany<T extends EventEnvelope>(def: EventDefinition<T>, items: ReadonlyArray<PublishManyItem<T>>, opts?: PublishManyOptions): Promise<T[]>;
  subscribe<T extends EventEnvelope>(def: EventDefinition<T>, opts: SubscribeOptions, handler: EventHandler<T>): Promise<Subscription>;
  /** Creates the topic (and its partitions) when missing. Publishing to a missing topic creates it too. */
  ensureTopic(topic: string, opts?: TopicOptions): Promise<void>;
  /** Graceful drain: closes every subscription (in-flight handlers finish), then releases connections. */
  close(): Promise<void>;
}

export class DeadLetterHeaders {
  static readonly error = 'ff-dlq-error';
  static readonly errorCode = 'ff-dlq-error-code';
  static readonly originalTopic = 'ff-dlq-original-topic';
  static readonly originalPartition = 'ff-dlq-original-partition';
  static readonly originalOffset = 'ff-dlq-original-offset';
  static readonly group = 'ff-dlq-group';
  static readonly attempts = 'ff-dlq-attempts';
}
