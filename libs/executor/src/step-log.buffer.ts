import type { StepLogLine } from '@flowforge/contracts';

export interface StepLogBufferOptions {
  /** Sends one batch (a StepLog event); a rejection drops the batch (reported through onLost). */
  send(lines: StepLogLine[]): Promise<void>;
  onLost(lines: number, error: unknown): void;
  /** A batch leaves at most this long after its first line (default 250 ms)... */
  flushMs?: number;
  /** ...or as soon as it has this many lines (default 200). */
  maxLines?: number;
}

/**
 * Batches the log lines of one attempt into StepLog events: one event per ~250 ms or 200 lines
 * instead of one per line, so a chatty job costs the bus little. Batches are sent one after the other,
 * keeping the lines in the order they were written.
 */
export class StepLogBuffer {
  private lines: StepLogLine[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxLines: number;

  constructor(private readonly opts: StepLogBufferOptions) {
    this.flushMs = opts.flushMs ?? 250;
    this.maxLines = opts.maxLines ?? 200;
  }

  add(line: StepLogLine): void {
    this.lines.push(line);
    if (this.lines.length >= this.maxLines) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
    }
  }

  /** Sends what is buffered; resolves once every batch handed over so far has been sent (or dropped). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.lines.length > 0) {
      const batch = this.lines;
      this.lines = [];
      this.sending = this.sending.then(() => this.opts.send(batch).catch((err: unknown) => this.opts.onLost(batch.length, err)));
    }
    return this.sending;
  }
}
