import type { Notification, Pool, PoolClient } from 'pg';
import type { BusLogger } from '../bus.logger';

export const BUS_CHANNEL = 'ff_bus';

interface Waiter {
  key: string;
  wake: () => void;
}

/** Notification payload / wake-up key: `<topic>/<partition>`; topic names cannot contain '/'. */
export function partitionChannelKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * LISTEN ff_bus on one dedicated connection and wake the worker of the notified partition (payload
 * `<topic>/<partition>`): waking every worker of a topic on each publish costs one useless fetch per
 * partition. Each key has a sequence number bumped on every notification: a worker reads it before fetching
 * and, if it changed while the fetch came back empty, fetches again instead of sleeping, so a commit
 * landing between "fetch returned nothing" and "start waiting" is never missed. If the connection
 * drops, workers still poll every pollIntervalMs while the notifier reconnects.
 */
export class TopicNotifier {
  private client: PoolClient | null = null;
  private starting: Promise<void> | null = null;
  private readonly seqs = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly logger: BusLogger,
    private readonly reconnectMs: number,
  ) {}

  start(): Promise<void> {
    if (this.stopped || this.client) return Promise.resolve();
    this.starting ??= this.connect().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  seq(key: string): number {
    return this.seqs.get(key) ?? 0;
  }

  /** Resolves on a notification for `key` after `seenSeq`, after `timeoutMs`, or when `signal` aborts. */
  wait(key: string, seenSeq: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.seq(key) !== seenSeq || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const waiter: Waiter = { key, wake: done };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(waiter);
      signal.addEventListener('abort', done);
    });
  }

  async stop(destroy = false): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.starting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    for (const w of [...this.waiters]) w.wake();
    if (!client) return;
    if (destroy) {
      client.release(true);
      return;
    }
    try {
      await client.query(`UNLISTEN ${BUS_CHANNEL}`);
      client.release();
    } catch {
      client.release(true);
    }
  }

  private async connect(): Promise<void> {
    let client: PoolClient | null = null;
    try {
      client = await this.pool.connect();
      client.on('notification', (n: Notification) => this.onNotification(n));
      client.on('error', (err: Error) => this.onLost(client, err));
      await client.query(`LISTEN ${BUS_CHANNEL}`);
      if (this.stopped) {
        client.release(true);
        return;
      }
      this.client = client;
    } catch (err) {
      client?.release(true);
      this.onLost(null, err);
    }
  }

  private onNotification(n: Notification): void {
    if (n.channel !== BUS_CHANNEL || !n.payload) return;
    const key = n.payload;
    this.seqs.set(key, this.seq(key) + 1);
    for (const w of [...this.waiters]) if (w.key === key) w.wake();
  }

  private onLost(client: PoolClient | null, err: unknown): void {
    if (client && this.client === client) {
      this.client = null;
      client.release(true);
    }
    if (this.stopped) return;
    this.logger.warn('FF_BUS_LISTEN_LOST: LISTEN connection lost; polling until it reconnects', {
      error: err instanceof Error ? err.message : String(err),
    });
    // Everyone fetches once: a notification may have been lost with the connection.
    for (const [key, s] of this.seqs) this.seqs.set(key, s + 1);
    for (const w of [...this.waiters]) w.wake();
    this.reconnectTimer = setTimeout(() => void this.start(), this.reconnectMs);
    this.reconnectTimer.unref();
  }
}
