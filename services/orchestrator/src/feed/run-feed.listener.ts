import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HOST_RUNTIME, LOGGER, type FlowForgeLogger, type HostRuntime } from '@flowforge/service-kit';
import { Client } from 'pg';
import { RUN_FEED_CHANNEL } from '../runs/run-feed.channel';

/** One stream's interest in one run. */
export interface RunFeedSubscription {
  /** Resolves when the run changed since the last call, after `timeoutMs`, or when `signal` aborts. */
  changed(timeoutMs: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

class Subscription implements RunFeedSubscription {
  dirty = false;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly onClose: (s: Subscription) => void) {}

  notify(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  changed(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.dirty || signal.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wakeUp = null;
        this.dirty = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }

  close(): void {
    this.onClose(this);
  }
}

/**
 * One LISTEN connection per process, shared by every open run stream: a change of a run (committed
 * with a NOTIFY carrying its id) wakes the streams of that run. Connected on first use; when the
 * connection drops, streams fall back to polling (FLOWFORGE_ORCHESTRATOR_FEED_POLL_MS) until the next
 * subscription reconnects it.
 */
@Injectable()
export class RunFeedListener implements OnApplicationShutdown {
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly subscribers = new Map<string, Set<Subscription>>();
  private closed = false;

  constructor(
    @Inject(HOST_RUNTIME) private readonly runtime: HostRuntime,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  async subscribe(runId: string): Promise<RunFeedSubscription> {
    await this.connect().catch((err: unknown) => this.logger.warn({ err }, 'FF_FEED_LISTEN: cannot LISTEN for run changes; run streams poll instead'));
    const sub = new Subscription((s) => {
      const set = this.subscribers.get(runId);
      set?.delete(s);
      if (set?.size === 0) this.subscribers.delete(runId);
    });
    let set = this.subscribers.get(runId);
    if (!set) this.subscribers.set(runId, (set = new Set()));
    set.add(sub);
    return sub;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new Client({ connectionString: this.runtime.databaseUrl, application_name: 'flowforge-orchestrator-feed' });
      client.on('error', () => {
        if (this.client === client) this.client = null;
        client.end().catch(() => undefined);
      });
      client.on('notification', (msg) => {
        if (msg.channel !== RUN_FEED_CHANNEL || !msg.payload) return;
        for (const s of this.subscribers.get(msg.payload) ?? []) s.notify();
      });
      await client.connect();
      await client.query(`LISTEN ${RUN_FEED_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }
}
