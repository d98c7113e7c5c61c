/** Time as chaining sees it: injected, so tests settle windows at a chosen instant instead of waiting. */
export interface ChainingClock {
  now(): Date;
}

export const CHAINING_CLOCK = Symbol.for('flowforge.triggers.chaining-clock');

export const systemClock: ChainingClock = { now: () => new Date() };
