import type { z } from 'zod';

/**
 * The plugin interface every trigger type implements — the built-in ones (webhook, file, cdc, kafka,
 * rabbitmq, workflow) and any custom one. A source turns something that happened outside (a request, a
 * file, a row change, a message, another workflow's run) into `SourceEvent`s; the trigger core matches
 * each against the trigger, records the firing and, when it matches, requests a run (`run.requested`).
 *
 * A source never publishes events or writes firings itself: it calls `emit`, which does both in one
 * transaction and answers what became of the event.
 */

/** One event as a source saw it. */
export interface SourceEvent {
  /** What the run parameters are mapped from (`${payload.<path>}`): a JSON object. */
  payload: Record<string, unknown>;
  /**
   * Where the event comes from, unique at its source (a topic/partition/offset, a file's path + size +
   * mtime, a WAL position, a webhook's delivery id). A second event with the same key on the same trigger
   * fires nothing (recorded as a duplicate), so a redelivery never starts a second run.
   */
  dedupKey?: string;
  /** Facts about the event other than its payload, for filters and mapping (`${meta.<name>}`): key, headers, table, operation, path. */
  meta?: Record<string, string>;
}

/** A trigger as its source sees it. */
export interface TriggerSpec<C = unknown> {
  id: string;
  name: string;
  /** The workflow the trigger runs. */
  workflow: string;
  type: string;
  /** The type's own settings, already validated by the source's `configSchema`. */
  config: C;
}

/** What became of an event: a run was requested, or why not. */
export interface FireOutcome {
  firingId: string;
  matched: boolean;
  /** Why it did or did not match (`filter "op" is "delete", wanted insert`), or `duplicate of <firingId>`. */
  reason: string;
  runId: string | null;
}

export type Emit = (event: SourceEvent) => Promise<FireOutcome>;

export interface SourceHandle {
  /** Stops listening; resolves once no more `emit` calls will be made. */
  stop(): Promise<void>;
}

export interface EventSource<C = unknown> {
  /** The trigger type this source serves: lower-case letters, digits and dashes. */
  readonly type: string;
  /** Validates a trigger's `config` on create and update (a 400 naming the field); described in the OpenAPI document. */
  readonly configSchema: z.ZodType<C>;
  /**
   * Added by the triggers core (optional, so existing sources need not change): top-level config fields
   * that hold secrets (`secret`, `password`). They are stored sealed, never answered (a read shows
   * `{ "set": true }`), kept when an edit leaves them out, and put back into the config `start` receives.
   */
  readonly secretFields?: readonly string[];
  /**
   * Whether an event matches the trigger's filter, and why (used by every firing and by `test` with a
   * sample payload, which starts no run). Absent: every event matches.
   */
  match?(config: C, event: SourceEvent): { matched: boolean; reason: string };
  /**
   * Checks what the config schema cannot see — the trigger as a whole (its workflow, its name) — when it
   * is saved; throws a problem (4xx naming the field) to refuse it. Absent: nothing more to check.
   */
  validate?(trigger: TriggerSpec<C>): void;
  /**
   * Starts listening for one enabled trigger. Push sources (webhook) return a handle that does nothing;
   * pull sources (file polling, Kafka, RabbitMQ, CDC) start their loop and call `emit` per event (or per
   * batch, with a payload that lists the batch). Called again after the trigger is edited (the old
   * handle is stopped first).
   */
  start(trigger: TriggerSpec<C>, emit: Emit): Promise<SourceHandle>;
  /**
   * Releases what the source keeps outside this service for a trigger deleted for good (a CDC
   * connector and its replication slot); idempotent. Called after the delete committed; a failure is
   * logged, not answered (the trigger is gone either way). Absent: nothing to release.
   */
  remove?(trigger: TriggerSpec<C>): Promise<void>;
  /**
   * A push hint for a pull source: an object store's event notification named `keys` (object keys) of
   * a trigger this process runs. The source looks at once instead of at its next poll; what it fires is
   * still what it finds. Answers false when the trigger's source does not run in this process (another
   * replica holds it: its next poll finds the files). Absent: the type takes no notifications.
   */
  notify?(triggerId: string, keys: string[]): boolean;
}

/** The config field (a secret) of a source taking notifications: the token a notification must carry. */
export const NOTIFICATION_TOKEN_FIELD = 'notificationToken';

/** Nest injection token: the array of every registered EventSource (built-in and custom). */
export const EVENT_SOURCES = Symbol('EVENT_SOURCES');
