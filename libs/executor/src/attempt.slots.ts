/**
 * The bound on attempts a replica runs at once (maxConcurrentSteps). Dispatch handlers wait here
 * before returning, so a saturated replica stops consuming its partitions instead of queueing work
 * in memory. Waiters are served first come, first served.
 */
export class AttemptSlots {
  private free: number;
  private readonly waiters: Array<{ grant: () => void; fail: (reason: unknown) => void }> = [];
  private closedWith: unknown = undefined;
  private closed = false;

  constructor(readonly size: number) {
    this.free = size;
  }

  get inUse(): number {
    return this.size - this.free;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** A release function when a slot is free right now, else null (never queues). */
  tryAcquire(): (() => void) | null {
    if (this.closed || this.free === 0) return null;
    this.free--;
    return this.releaser();
  }

  /**
   * Resolves with a release function once a slot is free; rejects with `signal.reason` when the
   * signal aborts first, or with the close reason. Release is idempotent.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.closed) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        fail: (reason: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Fails every waiter and every later acquire with `reason` (slots in use stay in use). */
  close(reason: unknown): void {
    this.closed = true;
    this.closedWith = reason;
    for (const w of this.waiters.splice(0)) w.fail(reason);
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter: no window in which a newcomer could take it.
      if (next) next.grant();
      else this.free++;
    };
  }
}
