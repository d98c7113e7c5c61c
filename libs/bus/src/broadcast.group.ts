import { randomBytes } from 'node:crypto';

/**
 * The group a broadcast subscription really consumes in: the caller's group as a prefix, plus a suffix
 * of its own per subscription, so that every replica (and every restart of one) has a group to itself.
 * Characters valid in Kafka group ids and Postgres text alike.
 */
export function broadcastGroupId(prefix: string): string {
  return `${prefix}.bcast-${randomBytes(6).toString('hex')}`;
}
