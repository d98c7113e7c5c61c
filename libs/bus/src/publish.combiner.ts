interface Pending<E> {
  entry: E;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Combines a bus's own autocommit publishes (those without a caller's transaction): per lane (a
 * Postgres-bus partition, a Kafka-bus topic) at most one statement is in flight, and the publishes that
 * arrive meanwhile go together in the next one. Each autocommit publish used to be a transaction of its
 * own, waiting for its own WAL flush while holding a pool connection (and, on the Postgres bus, its
 * partition's head row lock, so same-partition publishers waited for each other's flush one by one);
 * at a steady 1,000/s on a busy server that queued up to seconds (bench/bus-postgres.bench.ts). Here N
 * waiting publishes cost one commit instead of N. A publish arriving at an idle lane is sent at once.
 */
export class PublishCombiner<E> {
  private readonly queues = new Map<string, Array<Pending<E>>>();
  private readonly draining = new Map<string, Promise<void>>();

  constructor(
    private readonly limits: {
      /** Most entries per statement. */
      maxEntries: number;
      /** Most payload bytes per statement (an entry larger than this goes alone). */
      maxBytes: number;
      bytesOf: (entry: E) => number;
    },
    /** Writes the entries of one lane in one autocommit statement (all or nothing). */
    private readonly write: (entries: E[]) => Promise<void>,
  ) {}

  /** Resolves once the entry is committed; a value the database refuses fails its own publish only. */
  append(lane: string, entry: E): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(lane);
      if (!queue) this.queues.set(lane, (queue = []));
      queue.push({ entry, resolve, reject });
      if (!this.draining.has(lane)) {
        this.draining.set(
          lane,
          this.drain(lane).finally(() => this.draining.delete(lane)),
        );
      }
    });
  }

  /** Waits until every publish accepted so far has its outcome (graceful close). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.all([...this.draining.values()]);
  }

  private async drain(lane: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(lane);
      if (!queue || queue.length === 0) {
        this.queues.delete(lane);
        return;
      }
      let n = 0;
      let bytes = 0;
      while (n < queue.length && n < this.limits.maxEntries) {
        bytes += this.limits.bytesOf(queue[n]!.entry);
        if (n > 0 && bytes > this.limits.maxBytes) break;
        n++;
      }
      await this.settle(queue.splice(0, n));
    }
  }

  private async settle(batch: Array<Pending<E>>): Promise<void> {
    try {
      await this.write(batch.map((p) => p.entry));
    } catch (err) {
      if (batch.length === 1 || !entrySpecific(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // The statement was rolled back as a whole: each entry is written again on its own, so the one
      // the database refuses (a NUL byte in a key, an oversized key) fails alone.
      for (const p of batch) await this.settle([p]);
      return;
    }
    for (const p of batch) p.resolve();
  }
}

/**
 * SQLSTATE classes an entry's own values can cause: 22 data exception (bad encoding, NUL in text),
 * 23 integrity constraint, 54 program limit (an index row too large for its key). A lost connection or
 * a database shutting down fails every entry alike, so those are not retried one by one.
 */
function entrySpecific(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}
