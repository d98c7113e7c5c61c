import { Injectable } from '@nestjs/common';

/**
 * Lets the engine ask for an early sweep: a retry due in 200 ms should not wait for the next periodic
 * sweep. Best effort and process-local — the periodic sweep (on any replica) is what guarantees it.
 */
@Injectable()
export class SweepAlarm {
  private listener: ((inMs: number) => void) | null = null;

  /** Called by the sweeper. */
  listen(fn: (inMs: number) => void): void {
    this.listener = fn;
  }

  /** Asks for a sweep `inMs` from now (measured on the database clock by the caller). */
  request(inMs: number): void {
    this.listener?.(Math.max(0, inMs));
  }
}
