import { Injectable } from '@nestjs/common';

/**
 * The scheduler's idea of now. Every decision (what is due, what is a misfire, the next fire times)
 * reads it, and the loop waits for a fire time through it (`until`), so a test sets the time instead of
 * waiting for it.
 */
@Injectable()
export class SchedulerClock {
  private fixed: number | null = null;
  /** Waits for a time on a stopped clock: released by `set`. */
  private waiting: { at: number; release: () => void }[] = [];

  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }

  /** Resolves once the clock reads `at` or later (never before). */
  async until(at: Date): Promise<void> {
    for (;;) {
      const left = at.getTime() - this.now().getTime();
      if (left <= 0) return;
      if (this.fixed !== null) await new Promise<void>((release) => this.waiting.push({ at: at.getTime(), release }));
      else await new Promise((r) => setTimeout(r, left));
    }
  }

  /** Tests: stop the clock at `at` (null: the real time again). */
  set(at: Date | null): void {
    this.fixed = at ? at.getTime() : null;
    const due = this.fixed === null ? this.waiting : this.waiting.filter((w) => w.at <= this.fixed!);
    this.waiting = this.waiting.filter((w) => !due.includes(w));
    for (const w of due) w.release();
  }
}
