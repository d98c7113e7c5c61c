import type { JobProgress } from './job-type';

/** The progress of an attempt as last reported; every StepProgress carries the whole snapshot. */
export interface ProgressSnapshot {
  percent: number | null;
  message: string | null;
  metrics: Record<string, number> | null;
}

export interface ProgressReporterOptions {
  /** Publishes one StepProgress; `heartbeat` is true when nothing changed since the last one. */
  send(snapshot: ProgressSnapshot, heartbeat: boolean): Promise<void>;
  onSendFailed(error: unknown): void;
  /** The lease renewal period: a StepProgress leaves at least this often (leaseMs / 3). */
  heartbeatMs: number;
  /** Job-reported changes are coalesced to at most one event per this period (default 500 ms). */
  minIntervalMs?: number;
}

/**
 * Turns a job's progress() calls and the passing of time into StepProgress events. StepProgress is
 * also the lease heartbeat: any event renews the lease, so a heartbeat is only sent when nothing else
 * went out for heartbeatMs. A job calling progress() per row costs one event per minIntervalMs.
 */
export class ProgressReporter {
  private snapshot: ProgressSnapshot = { percent: null, message: null, metrics: null };
  private dirty = false;
  private lastSentAt = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private inFlight = false;
  private stopped = false;
  private readonly minIntervalMs: number;

  constructor(private readonly opts: ProgressReporterOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? 500;
  }

  /** Starts the heartbeat clock; the attempt's StepStarted counts as the first renewal. */
  start(): void {
    this.lastSentAt = Date.now();
    this.schedule();
  }

  update(p: JobProgress): void {
    if (this.stopped) return;
    const next = { ...this.snapshot };
    if (p.percent !== undefined) next.percent = Number.isFinite(p.percent) ? Math.min(100, Math.max(0, p.percent)) : null;
    if (p.message !== undefined) next.message = p.message;
    if (p.metrics !== undefined) next.metrics = { ...next.metrics, ...finiteOnly(p.metrics) };
    this.snapshot = next;
    this.dirty = true;
    this.schedule();
  }

  get current(): ProgressSnapshot {
    return this.snapshot;
  }

  /**
   * Stops sending; resolves when the event in flight (if any) is done. A change the throttle still held
   * back goes out first (once, awaited), so the last progress a job reported — its final counters — is
   * not lost to the throttle; a heartbeat is never sent by stop.
   */
  async stop(): Promise<void> {
    if (this.stopped) return this.sending;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sending;
    if (this.dirty) {
      this.dirty = false;
      await this.opts.send(this.snapshot, false).catch((err: unknown) => this.opts.onSendFailed(err));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const since = Date.now() - this.lastSentAt;
    const delay = this.dirty ? this.minIntervalMs - since : this.opts.heartbeatMs - since;
    this.timer = setTimeout(() => this.fire(), Math.max(0, delay));
  }

  private fire(): void {
    this.timer = null;
    if (this.stopped) return;
    if (this.inFlight) {
      // A stalled bus must not pile up events: look again shortly, send the latest snapshot then.
      this.timer = setTimeout(() => this.fire(), this.minIntervalMs);
      return;
    }
    const heartbeat = !this.dirty;
    const snapshot = this.snapshot;
    this.dirty = false;
    this.lastSentAt = Date.now();
    this.inFlight = true;
    this.sending = this.opts
      .send(snapshot, heartbeat)
      .catch((err: unknown) => this.opts.onSendFailed(err))
      .finally(() => {
        this.inFlight = false;
      });
    this.schedule();
  }
}

/** Avro doubles would carry NaN/Infinity, but they mean nothing to a reader; drop them. */
export function finiteOnly(metrics: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
