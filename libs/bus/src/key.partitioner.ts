/**
 * Partition of a key: FNV-1a 32-bit over the key's UTF-8 bytes, modulo the partition count.
 * Chosen because it is tiny, stable across processes and Node versions, and spreads short ids well.
 * It is NOT Kafka's murmur2 partitioner: the Postgres bus does not need to agree with Kafka, only
 * with itself, so that one key always lands in one partition (that is what gives order per key).
 */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(key, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
