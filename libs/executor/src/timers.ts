/** setTimeout refuses delays past 2^31-1 ms (~24.8 days) and fires at once; deadlines can be further out. */
const MAX_DELAY = 2 ** 31 - 1;

export interface TimerHandle {
  clear(): void;
}

/** Calls `fn` at epoch-ms `at` (at once when already past), however far away that is. */
export function setTimeoutAt(at: number, fn: () => void): TimerHandle {
  let timer: NodeJS.Timeout | null = null;
  const arm = (): void => {
    const delay = at - Date.now();
    if (delay > MAX_DELAY) timer = setTimeout(arm, MAX_DELAY);
    else timer = setTimeout(fn, Math.max(0, delay));
  };
  arm();
  return {
    clear: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
