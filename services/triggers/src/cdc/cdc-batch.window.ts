import type { CdcConfig, CdcOperation } from './cdc.config';
import { CDC_OPERATIONS } from './cdc.config';
import { keyOf, type CdcChange } from './debezium-envelope.parser';

/** How many distinct keys one batch lists; `count` still counts every change. */
export const CDC_MAX_KEYS = 1_000;

export interface CdcChangeView {
  operation: CdcOperation;
  key: unknown;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  tsMs: number | null;
  position: string | null;
}

/** The payload of one emit: the changes to one table within one window. */
export interface CdcBatchPayload extends Record<string, unknown> {
  table: string;
  /** The operations the batch holds, in the order insert, update, delete. */
  operations: CdcOperation[];
  count: number;
  /** The distinct changed keys, in order of first change, at most CDC_MAX_KEYS. */
  keys: unknown[];
  keysTruncated: boolean;
  /** The first `maxChanges` changes in full. */
  changes: CdcChangeView[];
  firstPosition: string | null;
  lastPosition: string | null;
}

export interface CdcBatch {
  payload: CdcBatchPayload;
  dedupKey: string;
  meta: Record<string, string>;
}

export interface KafkaPosition {
  topic: string;
  partition: number;
  /** The message's offset (a decimal string, as kafkajs gives it). */
  offset: string;
}

/** What one window produced: the batches to emit, then the offsets to commit (next offset per partition). */
export interface CdcWindow {
  batches: CdcBatch[];
  commits: KafkaPosition[];
}

export interface WindowScheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: WindowScheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface TableBatch {
  table: string;
  ops: Set<CdcOperation>;
  count: number;
  keys: Map<string, unknown>;
  keysTruncated: boolean;
  changes: CdcChangeView[];
  first: string;
  last: string;
}

/**
 * Collects the accepted changes of one window (`windowMs` from the first message after the previous
 * window closed) and hands them over as one batch per table. Skipped messages are collected too, so their
 * offsets are committed with the window. Memory per window is bounded: `keys` and `changes` are capped,
 * everything else is a counter.
 */
export class CdcBatchWindow {
  private tables = new Map<string, TableBatch>();
  private offsets = new Map<string, KafkaPosition>();
  private timer: unknown = null;

  constructor(
    private readonly config: Pick<CdcConfig, 'windowMs' | 'maxChanges' | 'keyColumns'>,
    private readonly onClose: (window: CdcWindow) => void,
    private readonly scheduler: WindowScheduler = realScheduler,
  ) {}

  /** Adds one consumed message: its decoded, accepted change, or null when it was skipped or filtered out. */
  add(change: CdcChange | null, at: KafkaPosition): void {
    const tp = `${at.topic}/${at.partition}`;
    const prev = this.offsets.get(tp);
    if (!prev || BigInt(prev.offset) < BigInt(at.offset)) this.offsets.set(tp, at);
    if (change) this.addChange(change, `${at.topic}/${at.partition}/${at.offset}`);
    if (this.timer === null) this.timer = this.scheduler.setTimeout(() => this.close(), this.config.windowMs);
  }

  /** Whether anything is waiting for the window to close. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** Closes the window now (the timer does it after windowMs). */
  close(): void {
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
    const batches = [...this.tables.values()].map((t) => this.batchOf(t));
    const commits = [...this.offsets.values()].map((p) => ({ ...p, offset: (BigInt(p.offset) + 1n).toString() }));
    this.tables = new Map();
    this.offsets = new Map();
    if (batches.length || commits.length) this.onClose({ batches, commits });
  }

  /** Drops what was collected (on stop: nothing was committed, so it is consumed again on the next start). */
  discard(): void {
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
    this.tables = new Map();
    this.offsets = new Map();
  }

  private addChange(change: CdcChange, kafkaPosition: string): void {
    const position = change.position ?? `kafka:${kafkaPosition}`;
    let t = this.tables.get(change.table);
    if (!t) {
      t = { table: change.table, ops: new Set(), count: 0, keys: new Map(), keysTruncated: false, changes: [], first: position, last: position };
      this.tables.set(change.table, t);
    }
    t.ops.add(change.operation);
    t.count++;
    t.last = position;
    const key = keyOf(change, this.config.keyColumns);
    if (key !== null && key !== undefined) {
      const id = JSON.stringify(key);
      if (!t.keys.has(id)) {
        if (t.keys.size < CDC_MAX_KEYS) t.keys.set(id, key);
        else t.keysTruncated = true;
      }
    }
    if (t.changes.length < this.config.maxChanges) {
      t.changes.push({ operation: change.operation, key, before: change.before, after: change.after, tsMs: change.tsMs, position: change.position });
    }
  }

  private batchOf(t: TableBatch): CdcBatch {
    const operations = CDC_OPERATIONS.filter((o) => t.ops.has(o));
    return {
      payload: {
        table: t.table,
        operations,
        count: t.count,
        keys: [...t.keys.values()],
        keysTruncated: t.keysTruncated,
        changes: t.changes,
        firstPosition: t.first,
        lastPosition: t.last,
      },
      // The same changes read again (a redelivery after a crash between emit and commit) give the same key.
      dedupKey: `cdc:${t.table}:${t.first}..${t.last}`,
      meta: { table: t.table, operation: operations.join(','), count: String(t.count) },
    };
  }
}
