import { CDC_MAX_KEYS, CdcBatchWindow, type CdcWindow, type WindowScheduler } from './cdc-batch.window';
import type { CdcChange } from './debezium-envelope.parser';

/** Timers run only when the test says so. */
class ManualScheduler implements WindowScheduler {
  timers = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  fire(): void {
    const all = [...this.timers.values()];
    this.timers.clear();
    for (const t of all) t.fn();
  }
}

let lsn = 100;
const change = (table: string, operation: CdcChange['operation'], id: number): CdcChange => ({
  table,
  operation,
  key: { id },
  before: operation === 'insert' ? null : { id },
  after: operation === 'delete' ? null : { id, n: id },
  tsMs: 1,
  position: `lsn:${lsn++}`,
});

function setup(config = { windowMs: 500, maxChanges: 2, keyColumns: undefined as string[] | undefined }) {
  const scheduler = new ManualScheduler();
  const windows: CdcWindow[] = [];
  const w = new CdcBatchWindow(config, (x) => windows.push(x), scheduler);
  let offset = 0;
  const add = (c: CdcChange | null, topic = 'p.public.orders') => w.add(c, { topic, partition: 0, offset: String(offset++) });
  return { scheduler, windows, w, add };
}

describe('cdc batch window', () => {
  it('closes windowMs after its first message with one batch per table and the next offsets to commit', () => {
    const { scheduler, windows, add } = setup();
    lsn = 100;
    add(change('public.orders', 'insert', 1));
    expect([...scheduler.timers.values()].map((t) => t.ms)).toEqual([500]);
    add(change('public.orders', 'update', 1));
    add(null); // filtered out: committed with the window, not emitted
    add(change('public.audit', 'delete', 9), 'p.public.audit');
    add(change('public.orders', 'insert', 2));
    expect(windows).toEqual([]);
    scheduler.fire();
    expect(windows).toHaveLength(1);
    const [orders, audit] = windows[0]!.batches;
    expect(orders!.payload).toEqual({
      table: 'public.orders',
      operations: ['insert', 'update'],
      count: 3,
      keys: [1, 2],
      keysTruncated: false,
      changes: [
        { operation: 'insert', key: 1, before: null, after: { id: 1, n: 1 }, tsMs: 1, position: 'lsn:100' },
        { operation: 'update', key: 1, before: { id: 1 }, after: { id: 1, n: 1 }, tsMs: 1, position: 'lsn:101' },
      ],
      firstPosition: 'lsn:100',
      lastPosition: 'lsn:103',
    });
    expect(orders!.dedupKey).toBe('cdc:public.orders:lsn:100..lsn:103');
    expect(orders!.meta).toEqual({ table: 'public.orders', operation: 'insert,update', count: '3' });
    expect(audit!.payload).toMatchObject({ table: 'public.audit', operations: ['delete'], count: 1, keys: [9] });
    expect(windows[0]!.commits).toEqual([
      { topic: 'p.public.orders', partition: 0, offset: '5' },
      { topic: 'p.public.audit', partition: 0, offset: '4' },
    ]);
  });

  it('a window of filtered messages only commits their offsets; an empty one emits nothing', () => {
    const { scheduler, windows, add, w } = setup();
    add(null);
    add(null);
    scheduler.fire();
    expect(windows).toEqual([{ batches: [], commits: [{ topic: 'p.public.orders', partition: 0, offset: '2' }] }]);
    w.close();
    expect(windows).toHaveLength(1);
  });

  it('the same changes give the same dedupKey, other changes another', () => {
    const keys: string[] = [];
    for (const start of [200, 200, 201]) {
      const { scheduler, windows, add } = setup();
      lsn = start;
      add(change('public.orders', 'insert', 1));
      add(change('public.orders', 'insert', 2));
      scheduler.fire();
      keys.push(windows[0]!.batches[0]!.dedupKey);
    }
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('bounds a large window: keys capped and flagged, changes capped, count exact', () => {
    const { scheduler, windows, add } = setup();
    for (let i = 0; i < CDC_MAX_KEYS + 5; i++) add(change('public.orders', 'insert', i));
    add(change('public.orders', 'update', 0)); // a key already listed is not listed twice
    scheduler.fire();
    const p = windows[0]!.batches[0]!.payload;
    expect(p.count).toBe(CDC_MAX_KEYS + 6);
    expect(p.keys).toHaveLength(CDC_MAX_KEYS);
    expect(p.keysTruncated).toBe(true);
    expect(p.changes).toHaveLength(2);
  });

  it('keyColumns name the keys; discard drops the window and its timer', () => {
    const { scheduler, windows, add, w } = setup({ windowMs: 50, maxChanges: 1, keyColumns: ['n'] });
    add(change('public.orders', 'insert', 4));
    scheduler.fire();
    expect(windows[0]!.batches[0]!.payload.keys).toEqual([4]);
    add(change('public.orders', 'insert', 5));
    expect(w.pending).toBe(true);
    w.discard();
    expect(w.pending).toBe(false);
    expect(scheduler.timers.size).toBe(0);
    w.close();
    expect(windows).toHaveLength(1);
  });

  it('a message without a source position is named by its Kafka position', () => {
    const { scheduler, windows, add } = setup();
    add({ ...change('public.orders', 'insert', 1), position: null });
    scheduler.fire();
    expect(windows[0]!.batches[0]!.dedupKey).toBe('cdc:public.orders:kafka:p.public.orders/0/0..kafka:p.public.orders/0/0');
  });
});
