import type { EventBus, PublishManyItem, PublishManyOptions } from '@flowforge/bus';
import { RunStateChanged, StepCancelRequested, StepDispatched, stepDispatchedTopic, type EventEnvelope } from '@flowforge/contracts';
import type { Queryable } from '@flowforge/db';
import { RunOutbox } from './run.outbox';

interface Published {
  topic: string;
  tx: Queryable | undefined;
  keys: string[];
}

function fakeBus(): { bus: EventBus; published: Published[] } {
  const published: Published[] = [];
  const bus = {
    publishMany: async (_def: unknown, items: ReadonlyArray<PublishManyItem<EventEnvelope>>, opts: PublishManyOptions = {}) => {
      published.push({ topic: opts.topic!, tx: opts.tx, keys: items.map((i) => i.key) });
      return [];
    },
  } as unknown as EventBus;
  return { bus, published };
}

const tx = (): Queryable => ({ query: async () => ({ rows: [], rowCount: 0 }) }) as unknown as Queryable;
const changed = (runId: string) => ({ runId, workflowId: 'wf', from: null, to: 'queued' as const, reason: null });
const dispatched = (runId: string) => ({
  runId,
  stepId: 'a',
  attempt: 1,
  jobType: 'noop',
  jobVersion: '1',
  executor: 'builtin' as const,
  config: '{}',
  deadlineAt: null,
});
const dispatchTopic = stepDispatchedTopic('builtin');

describe('RunOutbox', () => {
  it('publishes what a transaction added once its work is done: one publishMany per topic, topics in name order', async () => {
    const { bus, published } = fakeBus();
    const outbox = new RunOutbox(bus);
    const t = tx();
    await outbox.within(t, async () => {
      outbox.addMany(t, StepDispatched, [{ key: 'r1', event: dispatched('r1') }], dispatchTopic);
      outbox.add(t, RunStateChanged, changed('r1'), { key: 'r1' });
      outbox.add(t, StepCancelRequested, { runId: 'r2', stepId: 'a', attempt: 1, reason: 'x' }, { key: 'r2' });
      outbox.add(t, RunStateChanged, changed('r2'), { key: 'r2' });
      expect(published).toEqual([]);
    });
    expect(published).toEqual([
      { topic: RunStateChanged.topic, tx: t, keys: ['r1', 'r2'] },
      { topic: StepCancelRequested.topic, tx: t, keys: ['r2'] },
      { topic: dispatchTopic, tx: t, keys: ['r1'] },
    ]);
  });

  it('publishes nested work once, at the outermost end, and nothing when the work throws', async () => {
    const { bus, published } = fakeBus();
    const outbox = new RunOutbox(bus);
    const t = tx();
    await outbox.within(t, async () => {
      await outbox.within(t, async () => outbox.add(t, RunStateChanged, changed('inner'), { key: 'inner' }));
      expect(published).toEqual([]);
      outbox.add(t, RunStateChanged, changed('outer'), { key: 'outer' });
    });
    expect(published.map((p) => p.keys)).toEqual([['inner', 'outer']]);

    await expect(
      outbox.within(t, async () => {
        outbox.add(t, RunStateChanged, changed('lost'), { key: 'lost' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // The same client's next transaction starts empty.
    await outbox.within(t, async () => outbox.add(t, RunStateChanged, changed('next'), { key: 'next' }));
    expect(published.map((p) => p.keys)).toEqual([['inner', 'outer'], ['next']]);
  });

  it('refuses an event added outside a transaction it manages, instead of never publishing it', () => {
    const outbox = new RunOutbox(fakeBus().bus);
    expect(() => outbox.add(tx(), RunStateChanged, changed('r'), { key: 'r' })).toThrow('FF_OUTBOX_UNSCOPED');
  });

  it('gathers the handlers of a bus batch and publishes them once, from the bus beforeCommit', async () => {
    const { bus, published } = fakeBus();
    const outbox = new RunOutbox(bus);
    const t = tx();
    const work: Array<() => Promise<void>> = [];
    const ctx = { tx: t, beforeCommit: (w: () => Promise<void>) => void work.push(w) };
    await outbox.handle(ctx, async () => outbox.add(t, RunStateChanged, changed('h1'), { key: 'h1' }));
    // A handler that throws — even if its caller swallows the error — adds nothing.
    await outbox
      .handle(ctx, async () => {
        outbox.add(t, RunStateChanged, changed('failed'), { key: 'failed' });
        outbox.addMany(t, StepDispatched, [{ key: 'failed', event: dispatched('failed') }], dispatchTopic);
        throw new Error('refused');
      })
      .catch(() => undefined);
    await outbox.handle(ctx, async () => outbox.addMany(t, StepDispatched, [{ key: 'h3', event: dispatched('h3') }], dispatchTopic));
    expect(published).toEqual([]);
    expect(work).toHaveLength(1);
    await work[0]!();
    expect(published).toEqual([
      { topic: RunStateChanged.topic, tx: t, keys: ['h1'] },
      { topic: dispatchTopic, tx: t, keys: ['h3'] },
    ]);
  });

  it('publishes at the end of each handler on a bus without beforeCommit', async () => {
    const { bus, published } = fakeBus();
    const outbox = new RunOutbox(bus);
    const t = tx();
    await outbox.handle({ tx: t }, async () => outbox.add(t, RunStateChanged, changed('h1'), { key: 'h1' }));
    expect(published.map((p) => p.keys)).toEqual([['h1']]);
  });

  it('stamps occurredAt when the fact is added, not when it is published', async () => {
    let seen: EventEnvelope | undefined;
    const bus = {
      publishMany: async (_d: unknown, items: ReadonlyArray<PublishManyItem<EventEnvelope>>) => {
        seen = items[0]!.event as EventEnvelope;
        return [];
      },
    } as unknown as EventBus;
    const outbox = new RunOutbox(bus);
    const t = tx();
    const before = Date.now();
    await outbox.within(t, async () => {
      outbox.add(t, RunStateChanged, changed('r'), { key: 'r' });
      await new Promise((r) => setTimeout(r, 30));
    });
    expect(seen!.occurredAt).toBeGreaterThanOrEqual(before);
    expect(seen!.occurredAt).toBeLessThan(before + 25);
  });

  it('runs onPublished work once the events are published, and none of a transaction or handler that threw', async () => {
    const { bus } = fakeBus();
    const outbox = new RunOutbox(bus);
    const t = tx();
    const counted: string[] = [];
    await outbox.within(t, async () => {
      outbox.onPublished(t, () => counted.push('a'));
      expect(counted).toEqual([]);
    });
    expect(counted).toEqual(['a']);
    await expect(
      outbox.within(t, async () => {
        outbox.onPublished(t, () => counted.push('rolled back'));
        throw new Error('deadlock');
      }),
    ).rejects.toThrow('deadlock');
    expect(counted).toEqual(['a']);

    const work: Array<() => Promise<void>> = [];
    const ctx = { tx: t, beforeCommit: (w: () => Promise<void>) => void work.push(w) };
    await outbox.handle(ctx, async () => outbox.onPublished(t, () => counted.push('h1')));
    await outbox
      .handle(ctx, async () => {
        outbox.onPublished(t, () => counted.push('refused'));
        throw new Error('refused');
      })
      .catch(() => undefined);
    expect(counted).toEqual(['a']);
    await work[0]!();
    expect(counted).toEqual(['a', 'h1']);
    // Outside a managed transaction there is nothing to wait for.
    outbox.onPublished(tx(), () => counted.push('now'));
    expect(counted).toEqual(['a', 'h1', 'now']);
  });
});
