import { auditHash, chainAuditRecord, type AuditRecord, type ChainedAuditRecord } from '@flowforge/access';
import type { AuditEntryPage } from '../api/api.types';
import { runCli } from '../cli.program';
import { CapturedStream, capturedIo } from '../testing/captured.io';
import { fakeGateway, jsonAnswer } from '../testing/fake.gateway';
import { findHeadSeq, verifyRemoteChain, type FetchAuditPage } from './chain.verify';

function record(n: number): Omit<AuditRecord, 'seq'> {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    at: new Date(Date.UTC(2026, 0, 31, 10, 0, n)).toISOString(),
    service: n % 3 === 0 ? 'gateway' : 'auth',
    actorType: 'user',
    actorId: 'u-1',
    actorName: 'ada',
    action: n % 2 === 0 ? 'workflow:edit' : 'auth:login',
    resourceType: n % 2 === 0 ? 'workflow' : 'session',
    resourceId: `r-${n}`,
    outcome: 'success',
    status: 200,
    ip: '127.0.0.1',
    userAgent: 'flowforge-cli',
    traceId: null,
    changes: n % 2 === 0 ? { before: { v: n - 1 }, after: { v: n } } : null,
  };
}

function chain(length: number): ChainedAuditRecord[] {
  const out: ChainedAuditRecord[] = [];
  for (let n = 1; n <= length; n++) out.push(chainAuditRecord(out[out.length - 1], record(n)));
  return out;
}

/** GET /audit/entries over `entries` as the auth service pages it: seq > afterSeq, `nextAfterSeq` on a full page. */
function pagesOf(entries: readonly ChainedAuditRecord[]): FetchAuditPage & { calls: [number, number][] } {
  const calls: [number, number][] = [];
  const fetchPage = async (afterSeq: number, limit: number): Promise<AuditEntryPage> => {
    calls.push([afterSeq, limit]);
    const items = entries.filter((e) => e.seq > afterSeq).slice(0, limit);
    // Through JSON, as a download is: keys in whatever order, nothing but data.
    return JSON.parse(JSON.stringify({ items, nextAfterSeq: items.length === limit ? items[items.length - 1]!.seq : null })) as AuditEntryPage;
  };
  return Object.assign(fetchPage, { calls });
}

/** What a person with database access could do: change a row without re-hashing it. */
const edit = (entries: ChainedAuditRecord[], seq: number, change: Partial<AuditRecord>): ChainedAuditRecord[] =>
  entries.map((e) => (e.seq === seq ? { ...e, ...change } : e));

describe('verifyRemoteChain', () => {
  const entries = chain(30);

  it('accepts an untouched chain downloaded over several pages', async () => {
    const pages = pagesOf(entries);
    expect(await verifyRemoteChain(pages, { pageSize: 7 })).toEqual({ ok: true, checked: 30, lastSeq: 30, lastHash: entries[29]!.hash });
    expect(pages.calls).toEqual([
      [0, 7],
      [7, 7],
      [14, 7],
      [21, 7],
      [28, 7],
    ]);
  });

  it("names the entry edited behind the server's back, and stops downloading there", async () => {
    const pages = pagesOf(edit(entries, 17, { actorName: 'mallory' }));
    const progress: number[] = [];
    const result = await verifyRemoteChain(pages, { pageSize: 7, onPage: (p) => progress.push(p.checked) });
    expect(result).toEqual({
      ok: false,
      checked: 16,
      brokenAt: { seq: 17, reason: 'hash-mismatch', message: 'entry 17 does not match its hash: its content was changed after it was written' },
    });
    expect(progress).toEqual([7, 14]);
    expect(pages.calls).toHaveLength(3);
  });

  it('finds an edit whose hash was recomputed at the entry after it', async () => {
    const rehashed = entries.map((e) => (e.seq === 9 ? { ...e, outcome: 'denied' as const, hash: auditHash(e.prevHash, { ...e, outcome: 'denied' }) } : e));
    expect(await verifyRemoteChain(pagesOf(rehashed), { pageSize: 7 })).toMatchObject({ ok: false, brokenAt: { seq: 10, reason: 'prev-hash-mismatch' } });
  });

  it('finds rows deleted from the start or across a page boundary', async () => {
    const headless = await verifyRemoteChain(pagesOf(entries.filter((e) => e.seq !== 1)), { pageSize: 7 });
    expect(headless).toMatchObject({
      ok: false,
      checked: 0,
      brokenAt: { seq: 2, reason: 'seq-gap', message: 'entry 1 is missing before entry 2: deleted, or not downloaded' },
    });
    const gap = await verifyRemoteChain(pagesOf(entries.filter((e) => e.seq !== 8)), { pageSize: 7 });
    expect(gap).toMatchObject({ ok: false, checked: 7, brokenAt: { seq: 9, reason: 'seq-gap' } });
  });

  it('continues after the last seq received, not where the server says', async () => {
    const pages = pagesOf(entries);
    // A server that skips entries by pointing the next page past them.
    const lying: FetchAuditPage = async (afterSeq, limit) => {
      const page = await pages(afterSeq, limit);
      return { ...page, nextAfterSeq: page.nextAfterSeq === null ? null : page.nextAfterSeq + 3 };
    };
    expect(await verifyRemoteChain(lying, { pageSize: 7 })).toMatchObject({ ok: true, checked: 30 });
  });

  it('accepts an empty log', async () => {
    expect(await verifyRemoteChain(pagesOf([]))).toMatchObject({ ok: true, checked: 0, lastSeq: null });
  });
});

describe('findHeadSeq', () => {
  it.each([0, 1, 2, 7, 1000, 1023, 1024, 1025])('finds the newest seq of %d entries in about 2·log2(n) probes', async (n) => {
    let probes = 0;
    const head = await findHeadSeq(async (seq) => (probes++, seq < n));
    expect(head).toBe(n);
    expect(probes).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)) + 2);
  });
});

describe('flowforge audit verify', () => {
  const entries = chain(25);

  function gatewayOf(served: ChainedAuditRecord[]) {
    return fakeGateway({
      'GET /api/v1/audit/entries': async (req) => {
        const page = await pagesOf(served)(Number(req.query.get('afterSeq') ?? 0), Number(req.query.get('limit') ?? 100));
        return jsonAnswer(200, page);
      },
    });
  }

  it('reports an intact chain: entries and the last seq:hash to keep; exit 0', async () => {
    const gw = gatewayOf(entries);
    const io = capturedIo({ FLOWFORGE_TOKEN: 'ffp_x' }, { fetch: gw.fetch });
    expect(await runCli(['audit', 'verify'], io)).toBe(0);
    expect(io.stdout.text).toBe(`audit chain intact: 25 entries; last 25:${entries[24]!.hash} (keep it for --expect)\n`);
    expect(io.stderr.text).toBe('');
    // The whole chain, in pages of the largest size; never the server's own verdict.
    expect(gw.requests.map((r) => r.path)).toEqual(['/api/v1/audit/entries?afterSeq=0&limit=1000']);
  });

  it('exits 1 naming the first broken entry: seq, reason and message', async () => {
    const io = capturedIo({ FLOWFORGE_TOKEN: 'ffp_x' }, { fetch: gatewayOf(edit(entries, 12, { ip: '6.6.6.6' })).fetch });
    expect(await runCli(['audit', 'verify'], io)).toBe(1);
    expect(io.stderr.text).toBe(
      'error: audit chain broken at seq 12 (FF_AUDIT_CHAIN_BROKEN, hash-mismatch): entry 12 does not match its hash: its content was changed after it was written\n' +
        '  11 entries before it verified intact\n',
    );
    expect(io.stdout.text).toBe('');
    const asJson = capturedIo({ FLOWFORGE_TOKEN: 'ffp_x' }, { fetch: gatewayOf(edit(entries, 12, { ip: '6.6.6.6' })).fetch });
    expect(await runCli(['audit', 'verify', '--json'], asJson)).toBe(1);
    expect(JSON.parse(asJson.stdout.text)).toMatchObject({ ok: false, checked: 11, brokenAt: { seq: 12, reason: 'hash-mismatch' } });
  });

  it('shows a progress bar on a terminal (stderr) and still prints one result line', async () => {
    const gw = gatewayOf(entries);
    const io = capturedIo({ FLOWFORGE_TOKEN: 'ffp_x' }, { fetch: gw.fetch, stderr: new CapturedStream(true, 100) });
    expect(await runCli(['audit', 'verify'], io)).toBe(0);
    expect(io.stderr.text).toContain('verifying audit chain [');
    expect(io.stderr.text).toMatch(/25\/25 entries 100%/);
    expect(io.stdout.text).toBe(`audit chain intact: 25 entries; last 25:${entries[24]!.hash} (keep it for --expect)\n`);
    // The bar's total came from a few one-entry probes before the download.
    expect(gw.requests.filter((r) => r.query.get('limit') === '1').length).toBeGreaterThan(0);
  });
});
