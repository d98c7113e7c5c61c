import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export type AuditActorType = 'user' | 'token' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'denied' | 'error';

/** Exactly the fields the hash covers; storage may keep more (those are not protected). */
export interface AuditRecord {
  /** Position in the chain: 1, 2, 3… with no gaps (allocate it under the append lock, not from a DB sequence). */
  seq: number;
  id: string;
  /** ISO 8601 as hashed; store and return this exact text (e.g. always `toISOString()`). */
  at: string;
  service: string;
  actorType: AuditActorType;
  actorId: string | null;
  actorName: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: AuditOutcome;
  status: number | null;
  ip: string | null;
  userAgent: string | null;
  traceId: string | null;
  /** Any JSON (see canonicalJson for what is refused); typically the output of diffChanges. */
  changes: unknown;
}

export type ChainedAuditRecord = AuditRecord & { prevHash: string; hash: string };

/** The chain starts at seq 1, whose prevHash is GENESIS_HASH. */
export const FIRST_AUDIT_SEQ = 1;
export const GENESIS_HASH = '0'.repeat(64);

/** Typed as a Record so that adding a field to AuditRecord without listing it here does not compile. */
const FIELDS: Record<keyof AuditRecord, true> = {
  seq: true,
  id: true,
  at: true,
  service: true,
  actorType: true,
  actorId: true,
  actorName: true,
  action: true,
  resourceType: true,
  resourceId: true,
  outcome: true,
  status: true,
  ip: true,
  userAgent: true,
  traceId: true,
  changes: true,
};
export const AUDIT_RECORD_FIELDS = Object.keys(FIELDS) as ReadonlyArray<keyof AuditRecord>;

const HASH = /^[0-9a-f]{64}$/;

/**
 * sha256 hex of `prevHash + "\n" + canonicalJson(record)`, over the AuditRecord fields only: extra
 * properties (prevHash, hash, a database's own columns) are ignored, so a stored row can be passed
 * as it is. Each hash covers the previous one, so changing any entry changes every later hash.
 * Throws FF_AUDIT_RECORD_INVALID when a field is missing (undefined would silently drop out of the JSON).
 */
export function auditHash(prevHash: string, record: AuditRecord): string {
  const problem = recordProblem(record) ?? (HASH.test(prevHash) ? undefined : 'prevHash is not 64 lower-case hex characters');
  if (problem) throw new Error(`FF_AUDIT_RECORD_INVALID: ${problem}`);
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(pickAuditRecord(record))}`, 'utf8')
    .digest('hex');
}

/** The hashed fields of a stored or received entry, nothing else. */
export function pickAuditRecord(entry: AuditRecord): AuditRecord {
  const out: Record<string, unknown> = {};
  for (const field of AUDIT_RECORD_FIELDS) out[field] = entry[field];
  return out as unknown as AuditRecord;
}

/** The next entry of a chain whose last entry is `previous` (undefined: the chain is empty). */
export function chainAuditRecord(previous: Pick<ChainedAuditRecord, 'seq' | 'hash'> | undefined, record: Omit<AuditRecord, 'seq'>): ChainedAuditRecord {
  const seq = previous ? previous.seq + 1 : FIRST_AUDIT_SEQ;
  const prevHash = previous ? previous.hash : GENESIS_HASH;
  const full = pickAuditRecord({ ...record, seq });
  return { ...full, prevHash, hash: auditHash(prevHash, full) };
}

export type AuditChainBreak =
  /** The entry's content no longer hashes to its stored hash: it was edited. */
  | 'hash-mismatch'
  /** The entry does not point at the hash of the one before it: something before it was removed, replaced or re-hashed. */
  | 'prev-hash-mismatch'
  /** A seq is missing between two entries: a row was deleted (or the download skipped one). */
  | 'seq-gap'
  /** A seq is not greater than the previous one: entries were reordered or duplicated. */
  | 'seq-order'
  /** The entry is not an audit record at all (a field missing, a hash that is not hex). */
  | 'malformed';

export type AuditChainResult =
  /** `lastHash`/`lastSeq`: where the next page must continue (null when nothing was checked and nothing expected). */
  | { ok: true; checked: number; lastHash: string | null; lastSeq: number | null }
  /** `checked` entries were fine; the next one (at index `checked` of what was given) is where it breaks. */
  | { ok: false; checked: number; brokenAt: { seq: number | null; reason: AuditChainBreak; message: string } };

export interface AuditChainOptions {
  /** The hash of the entry just before the first one given (verifying a page after the previous page). */
  expectedFirstPrevHash?: string;
  /** The seq the first entry must have (with expectedFirstPrevHash: the previous page's lastSeq + 1). */
  expectedFirstSeq?: number;
}

/**
 * Checks entries one at a time in order, holding only the last hash: the CLI feeds it page by page.
 * Entries may start at any seq; without expectations the first entry's prevHash is taken on trust,
 * except that seq 1 must always follow GENESIS_HASH. After the first break, later entries are ignored.
 *
 * What it cannot see: a rewrite that re-hashes every entry from some point to the end is consistent
 * in itself. Comparing `lastHash` with a head hash kept elsewhere (an earlier export, a published
 * checkpoint) catches that.
 */
export class AuditChainVerifier {
  private checked = 0;
  private lastHash: string | null;
  private lastSeq: number | null = null;
  private broken: Extract<AuditChainResult, { ok: false }>['brokenAt'] | undefined;

  constructor(private readonly options: AuditChainOptions = {}) {
    this.lastHash = options.expectedFirstPrevHash ?? null;
  }

  /** Checks one more entry; false once the chain is broken (here or earlier). */
  push(entry: ChainedAuditRecord): boolean {
    if (this.broken) return false;
    this.broken = this.check(entry);
    if (this.broken) return false;
    this.checked++;
    this.lastHash = entry.hash;
    this.lastSeq = entry.seq;
    return true;
  }

  result(): AuditChainResult {
    if (this.broken) return { ok: false, checked: this.checked, brokenAt: this.broken };
    return { ok: true, checked: this.checked, lastHash: this.lastHash, lastSeq: this.lastSeq };
  }

  private check(entry: ChainedAuditRecord): Extract<AuditChainResult, { ok: false }>['brokenAt'] | undefined {
    const problem = entryProblem(entry);
    if (problem) {
      const seq = typeof entry === 'object' && entry !== null && Number.isSafeInteger(entry.seq) ? entry.seq : null;
      return { seq, reason: 'malformed', message: `${seq === null ? 'an entry' : `entry ${seq}`}: ${problem}` };
    }
    const { seq } = entry;
    const expectedSeq = this.lastSeq !== null ? this.lastSeq + 1 : this.options.expectedFirstSeq;
    if (expectedSeq !== undefined && seq < expectedSeq) {
      return { seq, reason: 'seq-order', message: `entry ${seq} comes where entry ${expectedSeq} was expected: entries are reordered or duplicated` };
    }
    if (expectedSeq !== undefined && seq > expectedSeq) {
      const missing = seq - expectedSeq === 1 ? `entry ${expectedSeq} is` : `entries ${expectedSeq}–${seq - 1} are`;
      return { seq, reason: 'seq-gap', message: `${missing} missing before entry ${seq}: deleted, or not downloaded` };
    }
    // Seq 1 always follows the genesis hash; any other entry follows the one checked (or expected) before it.
    const expectedPrev = seq === FIRST_AUDIT_SEQ ? GENESIS_HASH : this.lastHash;
    if ((expectedPrev !== null && entry.prevHash !== expectedPrev) || (this.lastHash !== null && entry.prevHash !== this.lastHash)) {
      const what = seq === FIRST_AUDIT_SEQ ? 'the start of the chain' : `the hash of entry ${seq - 1}`;
      return { seq, reason: 'prev-hash-mismatch', message: `entry ${seq} does not point at ${what}: an earlier entry was removed, replaced or re-hashed` };
    }
    let actual: string;
    try {
      actual = auditHash(entry.prevHash, entry);
    } catch (e) {
      return { seq, reason: 'malformed', message: `entry ${seq}: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (actual !== entry.hash) {
      return { seq, reason: 'hash-mismatch', message: `entry ${seq} does not match its hash: its content was changed after it was written` };
    }
    return undefined;
  }
}

/** Verifies a run of consecutive entries in one go (see AuditChainVerifier). */
export function verifyAuditChain(entries: Iterable<ChainedAuditRecord>, options: AuditChainOptions = {}): AuditChainResult {
  const verifier = new AuditChainVerifier(options);
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier.result();
}

function recordProblem(record: AuditRecord): string | undefined {
  if (typeof record !== 'object' || record === null) return 'not an object';
  if (!Number.isSafeInteger(record.seq) || record.seq < FIRST_AUDIT_SEQ) return `seq must be an integer >= ${FIRST_AUDIT_SEQ}`;
  const missing = AUDIT_RECORD_FIELDS.filter((f) => record[f] === undefined);
  return missing.length > 0 ? `missing ${missing.join(', ')} (use null for "none")` : undefined;
}

function entryProblem(entry: ChainedAuditRecord): string | undefined {
  const problem = recordProblem(entry);
  if (problem) return problem;
  if (typeof entry.prevHash !== 'string' || !HASH.test(entry.prevHash)) return 'prevHash is not 64 lower-case hex characters';
  if (typeof entry.hash !== 'string' || !HASH.test(entry.hash)) return 'hash is not 64 lower-case hex characters';
  return undefined;
}
