import { AttemptSlots } from './attempt.slots';

describe('AttemptSlots', () => {
  it('grants up to its size at once, then serves waiters in arrival order', async () => {
    const slots = new AttemptSlots(2);
    const a = await slots.acquire();
    await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    expect({ inUse: slots.inUse, waiting: slots.waiting }).toEqual({ inUse: 2, waiting: 2 });
    a();
    a(); // releasing twice frees one slot only
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect({ inUse: slots.inUse, waiting: slots.waiting }).toEqual({ inUse: 2, waiting: 1 });
    releaseC();
    await d;
    expect(order).toEqual(['c', 'd']);
  });

  it('rejects a waiter with the reason of its aborted signal and forgets it', async () => {
    const slots = new AttemptSlots(1);
    const release = await slots.acquire();
    const ctl = new AbortController();
    const waiting = slots.acquire(ctl.signal);
    ctl.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(slots.waiting).toBe(0);
    release();
    expect(slots.inUse).toBe(0);
  });

  it('tryAcquire takes a free slot or returns null, never queueing', async () => {
    const slots = new AttemptSlots(1);
    const release = slots.tryAcquire();
    expect(release).not.toBeNull();
    expect(slots.tryAcquire()).toBeNull();
    expect(slots.waiting).toBe(0);
    release!();
    expect(slots.tryAcquire()).not.toBeNull();
  });

  it('fails waiters and later acquires once closed', async () => {
    const slots = new AttemptSlots(1);
    await slots.acquire();
    const waiting = slots.acquire();
    slots.close(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    await expect(slots.acquire()).rejects.toThrow('stopping');
  });
});
