import { createHash } from 'node:crypto';

/**
 * Schema `ff_bus`: the Postgres bus is infrastructure (like a Kafka cluster), not a service, so it owns
 * its schema. Every statement is idempotent; `migrate()` runs them under an advisory lock so that
 * several processes starting at once do not race on CREATE.
 */
export const BUS_MIGRATION_LOCK = 0x66665f62; // "ff_b"

export const BUS_SCHEMA_SQL = [
  `CREATE SCHEMA IF NOT EXISTS ff_bus`,
  `CREATE TABLE IF NOT EXISTS ff_bus.topics (
     name         text PRIMARY KEY,
     partitions   int NOT NULL CHECK (partitions > 0),
     retention_ms bigint NOT NULL,
     created_at   timestamptz NOT NULL DEFAULT now()
   )`,
  // Head counters: the row lock taken by `next_offset = next_offset + n` serialises publishers to a
  // partition until they commit, so offsets become visible in order and a reader never skips a gap.
  `CREATE TABLE IF NOT EXISTS ff_bus.partitions (
     topic       text NOT NULL REFERENCES ff_bus.topics(name) ON DELETE CASCADE,
     partition   int NOT NULL,
     next_offset bigint NOT NULL DEFAULT 0,
     PRIMARY KEY (topic, partition)
   )`,
  `CREATE TABLE IF NOT EXISTS ff_bus.log (
     topic      text NOT NULL,
     partition  int NOT NULL,
     "offset"   bigint NOT NULL,
     key        text NOT NULL,
     headers    jsonb NOT NULL DEFAULT '{}'::jsonb,
     payload    bytea NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (topic, partition, "offset")
   )`,
  `CREATE TABLE IF NOT EXISTS ff_bus.consumer_members (
     group_id     text NOT NULL,
     topic        text NOT NULL,
     member_id    text NOT NULL,
     heartbeat_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (group_id, topic, member_id)
   )`,
  // committed_offset is the next offset the group will process (Kafka semantics).
  `CREATE TABLE IF NOT EXISTS ff_bus.consumer_partitions (
     group_id         text NOT NULL,
     topic            text NOT NULL,
     partition        int NOT NULL,
     committed_offset bigint NOT NULL DEFAULT 0,
     owner            text,
     generation       bigint NOT NULL DEFAULT 0,
     lease_expires_at timestamptz,
     PRIMARY KEY (group_id, topic, partition)
   )`,
  `CREATE INDEX IF NOT EXISTS consumer_partitions_topic_idx ON ff_bus.consumer_partitions (topic, partition)`,
  // Where the event at retry_offset stands after failing (attempts begun, first failure, last error):
  // kept with the offset so that a restart or a new owner goes on counting towards maxAttempts and
  // maxRetryMs instead of starting over. Meaningful only while retry_offset = committed_offset.
  `ALTER TABLE ff_bus.consumer_partitions
     ADD COLUMN IF NOT EXISTS retry_offset bigint,
     ADD COLUMN IF NOT EXISTS retry_attempts int NOT NULL DEFAULT 0,
     ADD COLUMN IF NOT EXISTS retry_first_at timestamptz,
     ADD COLUMN IF NOT EXISTS retry_error text,
     ADD COLUMN IF NOT EXISTS retry_error_code text`,
  // Groups of broadcast subscriptions: one per replica, renewed by its heartbeat. A replica gone without
  // closing stops renewing; runRetention() then deletes the group with its offsets and inbox rows.
  `CREATE TABLE IF NOT EXISTS ff_bus.broadcast_groups (
     group_id   text NOT NULL,
     topic      text NOT NULL,
     expires_at timestamptz NOT NULL,
     PRIMARY KEY (group_id, topic)
   )`,
  `CREATE TABLE IF NOT EXISTS ff_bus.inbox (
     group_id   text NOT NULL,
     event_id   uuid NOT NULL,
     handled_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (group_id, event_id)
   )`,
  `CREATE INDEX IF NOT EXISTS inbox_handled_at_idx ON ff_bus.inbox (handled_at)`,
];

/**
 * Fingerprint of BUS_SCHEMA_SQL, kept as the comment of schema `ff_bus` once applied. A process finding
 * it there runs no DDL at all: CREATE INDEX IF NOT EXISTS takes a SHARE lock on its table even when the
 * index exists, so a process starting beside busy consumers would wait for them, or deadlock with them
 * (holding one table's lock while a consumer that holds another wants it).
 */
export const BUS_SCHEMA_VERSION = createHash('sha256').update(BUS_SCHEMA_SQL.join(';\n')).digest('hex').slice(0, 16);
