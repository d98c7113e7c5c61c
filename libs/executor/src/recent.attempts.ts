/**
 * A bounded memory of attempt keys (runId/stepId/attempt) with a value and an age limit. The replica
 * uses two: attempts it already finished (a redelivered dispatch must not run them again) and cancels
 * that arrived before their dispatch (the two travel on different topics, so either can come first).
 */
export class RecentAttempts<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  /** Remembers `value` as of `at` (epoch ms; default now); entries already older than the TTL are not kept. */
  set(key: string, value: V, at = Date.now()): void {
    if (Date.now() - at > this.ttlMs) return;
    this.entries.delete(key);
    this.entries.set(key, { value, at });
    // Map iteration is insertion order: the first entries are the oldest.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export function attemptKey(ref: { runId: string; stepId: string; attempt: number }): string {
  return `${ref.runId}/${ref.stepId}/${ref.attempt}`;
}
