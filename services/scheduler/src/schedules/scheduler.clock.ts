import { Injectable } from '@nestjs/common';

/**
 * The scheduler's idea of now. Every decision (what is due, what is a misfire, the next fire times)
 * reads it, so a test sets the time instead of waiting for it.
 */
@Injectable()
export class SchedulerClock {
  private fixed: number | null = null;

  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }

  /** Tests: stop the clock at `at` (null: the real time again). */
  set(at: Date | null): void {
    this.fixed = at ? at.getTime() : null;
  }
}
