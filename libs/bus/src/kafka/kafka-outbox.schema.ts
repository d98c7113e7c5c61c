import { createHash } from 'node:crypto';
import { KafkaBusError } from './kafka-bus.errors';

/**
 * The Kafka bus keeps its transactional state in the *service's* schema (docs/architecture.md, Two ways to run): the
 * outbox must be written in the same transaction as the service's own state, and the inbox in the same
 * transaction as the handler's effects, so both live in the service database, not in a bus schema.
 */

// The schema name is interpolated into DDL and LISTEN (identifiers cannot be bind parameters), so only
// plain identifiers are accepted; that also keeps the NOTIFY channel name valid without quoting games.
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,50}$/;

/** Advisory lock namespace ("ffkr") for relay leadership; the second key is hashtext(schema). */
export const RELAY_LOCK_CLASS = 0x66666b72;

export function assertOutboxSchema(schema: string): string {
  if (!SCHEMA_RE.test(schema)) {
    throw new KafkaBusError('FF_BUS_KAFKA_INVALID_SCHEMA', `outboxSchema "${schema}" must match ${SCHEMA_RE.source} (it is used as an SQL identifier)`);
  }
  return schema;
}

/** The NOTIFY channel that wakes the relay of a schema. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * Fingerprint of the DDL, stored as the outbox table's comment: a process starting beside busy
 * replicas finds it and runs no DDL at all (CREATE INDEX IF NOT EXISTS takes a SHARE lock on the table
 * even when the index exists, which blocks — or deadlocks with — relays and consumers writing to it).
 */
export function kafkaOutboxSchemaVersion(): string {
  return createHash('sha256').update(kafkaOutboxSchemaSql('ff_fingerprint').join(';\n')).digest('hex').slice(0, 16);
}

export function kafkaOutboxSchemaSql(schema: string): string[] {
  const s = `"${assertOutboxSchema(schema)}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    // id gives the relay its send order; headers carry traceparent and, for dead letters, the error.
    `CREATE TABLE IF NOT EXISTS ${s}.outbox (
       id         bigserial PRIMARY KEY,
       topic      text NOT NULL,
       key        text NOT NULL,
       headers    jsonb NOT NULL DEFAULT '{}'::jsonb,
       payload    bytea NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       sent_at    timestamptz
     )`,
    // The relay only ever scans unsent rows; a partial index keeps that scan small however many sent
    // rows wait for housekeeping.
    `CREATE INDEX IF NOT EXISTS outbox_unsent_idx ON ${s}.outbox (id) WHERE sent_at IS NULL`,
    `CREATE INDEX IF NOT EXISTS outbox_sent_at_idx ON ${s}.outbox (sent_at) WHERE sent_at IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${s}.inbox (
       group_id   text NOT NULL,
       event_id   uuid NOT NULL,
       handled_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (group_id, event_id)
     )`,
    `CREATE INDEX IF NOT EXISTS inbox_handled_at_idx ON ${s}.inbox (handled_at)`,
    // Where a failing event stands (attempts begun, first failure, last error), per group and partition:
    // a restart or the next owner of the partition goes on counting towards maxAttempts and maxRetryMs
    // instead of starting over. Kafka keeps offsets only, so this lives beside the inbox.
    `CREATE TABLE IF NOT EXISTS ${s}.consumer_retries (
       group_id        text NOT NULL,
       topic           text NOT NULL,
       partition       int NOT NULL,
       "offset"        bigint NOT NULL,
       attempts        int NOT NULL,
       first_failed_at timestamptz NOT NULL,
       error           text,
       error_code      text,
       updated_at      timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (group_id, topic, partition)
     )`,
  ];
}
