import { AuditChainVerifier, FIRST_AUDIT_SEQ, GENESIS_HASH, type AuditChainResult } from '@flowforge/access';
import type { AuditEntryPage } from '../api/api.types';
import { CliFailure } from '../cli.errors';

/** The largest page GET /audit/entries serves. */
export const AUDIT_PAGE_SIZE = 1000;

/** One page of the whole log, oldest first, after `afterSeq` (0: from the start). */
export type FetchAuditPage = (afterSeq: number, limit: number) => Promise<AuditEntryPage>;

export interface VerifyProgress {
  /** Entries checked so far, and the seq of the last one. */
  checked: number;
  lastSeq: number | null;
}

/**
 * Downloads the whole chain page by page and re-checks every hash here with AuditChainVerifier — the
 * server's own /audit/verify is not asked: a server that lies about its log would lie about that too.
 * The chain must start at seq 1 after the genesis hash, so rows deleted from the start are caught like
 * any other; pages continue after the last seq received (not a number the server chose), so a page
 * boundary cannot hide a gap. Stops at the first break.
 */
export async function verifyRemoteChain(
  fetchPage: FetchAuditPage,
  options: { pageSize?: number; onPage?: (progress: VerifyProgress) => void } = {},
): Promise<AuditChainResult> {
  const pageSize = options.pageSize ?? AUDIT_PAGE_SIZE;
  const verifier = new AuditChainVerifier({ expectedFirstPrevHash: GENESIS_HASH, expectedFirstSeq: FIRST_AUDIT_SEQ });
  let afterSeq = 0;
  for (;;) {
    const page = await fetchPage(afterSeq, pageSize);
    for (const entry of page.items) if (!verifier.push(entry)) return verifier.result();
    const result = verifier.result();
    if (!result.ok) return result; // unreachable: push said so
    options.onPage?.({ checked: result.checked, lastSeq: result.lastSeq });
    if (page.nextAfterSeq === null || page.items.length === 0) return result;
    if (result.lastSeq === null || result.lastSeq <= afterSeq) {
      throw new CliFailure(`the gateway's audit pages do not advance after seq ${afterSeq} (FF_CLI_AUDIT_PAGING)`);
    }
    afterSeq = result.lastSeq;
  }
}

/**
 * The seq of the newest entry, for a progress bar's total, by asking for one entry after a seq:
 * doubling, then halving, so about 2·log2(n) tiny requests. Only the bar trusts it.
 */
export async function findHeadSeq(hasEntryAfter: (seq: number) => Promise<boolean>): Promise<number> {
  if (!(await hasEntryAfter(0))) return 0;
  let below = 0; // an entry exists after this seq
  let above = 1; // to be found: none after this seq
  while (await hasEntryAfter(above)) {
    below = above;
    above *= 2;
  }
  while (above - below > 1) {
    const mid = Math.floor((below + above) / 2);
    if (await hasEntryAfter(mid)) below = mid;
    else above = mid;
  }
  return above;
}
