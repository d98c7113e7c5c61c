import { createHash } from 'node:crypto';
import {
  AUDIT_RECORD_FIELDS,
  AuditChainVerifier,
  GENESIS_HASH,
  auditHash,
  chainAuditRecord,
  pickAuditRecord,
  verifyAuditChain,
  type AuditRecord,
  type ChainedAuditRecord,
} from './audit-chain';
import { canonicalJson } from './canonical-json';

function record(n: number): Omit<AuditRecord, 'seq'> {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    service: 'auth',
    actorType: 'user',
    actorId: 'u-1',
    actorName: 'ada',
    action: n % 2 === 0 ? 'workflow.update' : 'auth.login',
    resourceType: n % 2 === 0 ? 'workflow' : null,
    resourceId: n % 2 === 0 ? `wf-${n}` : null,
    outcome: 'success',
    status: 200,
    ip: '10.0.0.1',
    userAgent: 'jest',
    traceId: null,
    changes: n % 2 === 0 ? { before: { name: `old-${n}` }, after: { name: `new-${n}` } } : null,
  };
}

function chain(length: number): ChainedAuditRecord[] {
  const out: ChainedAuditRecord[] = [];
  for (let n = 1; n <= length; n++) out.push(chainAuditRecord(out[out.length - 1], record(n)));
  return out;
}

const broken = (entries: ChainedAuditRecord[], options?: Parameters<typeof verifyAuditChain>[1]) => {
  const r = verifyAuditChain(entries, options);
  if (r.ok) throw new Error('expected the chain to be broken');
  return { checked: r.checked, seq: r.brokenAt.seq, reason: r.brokenAt.reason, message: r.brokenAt.message };
};

describe('auditHash', () => {
  const first = { ...record(1), seq: 1 };

  it('is sha256 hex of prevHash, a newline and the canonical JSON of the record', () => {
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n${canonicalJson(first)}`)
      .digest('hex');
    expect(auditHash(GENESIS_HASH, first)).toBe(expected);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('is pinned: the auth service and every CLI version must agree on it', () => {
    const fixed: AuditRecord = {
      seq: 1,
      id: '0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a',
      at: '2025-06-01T12:00:00.000Z',
      service: 'auth',
      actorType: 'user',
      actorId: 'u-1',
      actorName: 'ada',
      action: 'user.update',
      resourceType: 'user',
      resourceId: 'u-2',
      outcome: 'success',
      status: 200,
      ip: '127.0.0.1',
      userAgent: null,
      traceId: null,
      changes: { before: { roles: ['analyst'] }, after: { roles: ['developer'] } },
    };
    expect(canonicalJson(fixed)).toBe(
      '{"action":"user.update","actorId":"u-1","actorName":"ada","actorType":"user","at":"2025-06-01T12:00:00.000Z","changes":{"after":{"roles":["developer"]},"before":{"roles":["analyst"]}},"id":"0b9c6f3e-7a51-4c2e-9d3a-1f2e3d4c5b6a","ip":"127.0.0.1","outcome":"success","resourceId":"u-2","resourceType":"user","seq":1,"service":"auth","status":200,"traceId":null,"userAgent":null}',
    );
    expect(auditHash(GENESIS_HASH, fixed)).toBe('02524be701e2250053af6f4966efa5fc80cceef78ba7bbeae9a9685b82631ca5');
  });

  it('covers every field and the previous hash', () => {
    const base = auditHash(GENESIS_HASH, first);
    for (const field of AUDIT_RECORD_FIELDS) {
      const changed = { ...first, [field]: field === 'seq' ? 2 : field === 'status' ? 500 : 'other' } as AuditRecord;
      expect(auditHash(GENESIS_HASH, changed)).not.toBe(base);
    }
    expect(auditHash('1'.repeat(64), first)).not.toBe(base);
  });

  it('ignores key order and any fields beyond AuditRecord (stored rows can be passed as they are)', () => {
    const shuffled = Object.fromEntries(Object.entries(first).reverse()) as unknown as AuditRecord;
    const row = { ...first, prevHash: GENESIS_HASH, hash: 'x', createdAt: new Date(), tenant: 't' };
    expect(auditHash(GENESIS_HASH, shuffled)).toBe(auditHash(GENESIS_HASH, first));
    expect(auditHash(GENESIS_HASH, row)).toBe(auditHash(GENESIS_HASH, first));
    expect(Object.keys(pickAuditRecord(row)).sort()).toEqual([...AUDIT_RECORD_FIELDS].sort());
  });

  it('refuses a record with a missing field (null is "none"; undefined would vanish from the JSON)', () => {
    const { traceId: _t, status: _s, ...partial } = first;
    expect(() => auditHash(GENESIS_HASH, partial as AuditRecord)).toThrow('FF_AUDIT_RECORD_INVALID: missing status, traceId (use null for "none")');
    expect(() => auditHash(GENESIS_HASH, { ...first, seq: 0 })).toThrow('FF_AUDIT_RECORD_INVALID: seq must be an integer >= 1');
    expect(() => auditHash('abc', first)).toThrow('FF_AUDIT_RECORD_INVALID: prevHash is not 64 lower-case hex characters');
    expect(() => auditHash(GENESIS_HASH, { ...first, changes: { n: Number.NaN } })).toThrow('FF_CANONICAL_JSON: $.changes.n');
  });
});

describe('chainAuditRecord', () => {
  it('starts at seq 1 after the genesis hash and links each entry to the one before', () => {
    const [a, b] = chain(2);
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, hash: auditHash(GENESIS_HASH, { ...record(1), seq: 1 }) });
    expect(b).toMatchObject({ seq: 2, prevHash: a?.hash });
  });
});

describe('verifyAuditChain', () => {
  const entries = chain(6);

  it('accepts an untouched chain and says where the next page continues', () => {
    expect(verifyAuditChain(entries)).toEqual({ ok: true, checked: 6, lastHash: entries[5]?.hash, lastSeq: 6 });
  });

  it('accepts entries that went through JSON with their keys in another order (a download)', () => {
    const downloaded = JSON.parse(JSON.stringify(entries.map((e) => Object.fromEntries(Object.entries(e).reverse())))) as ChainedAuditRecord[];
    expect(verifyAuditChain(downloaded).ok).toBe(true);
  });

  it('accepts nothing at all', () => {
    expect(verifyAuditChain([])).toEqual({ ok: true, checked: 0, lastHash: null, lastSeq: null });
    expect(verifyAuditChain([], { expectedFirstPrevHash: entries[5]?.hash })).toEqual({ ok: true, checked: 0, lastHash: entries[5]?.hash, lastSeq: null });
  });

  it('finds an edited row', () => {
    const edited = entries.map((e) => (e.seq === 4 ? { ...e, outcome: 'denied' as const } : e));
    expect(broken(edited)).toEqual({
      checked: 3,
      seq: 4,
      reason: 'hash-mismatch',
      message: 'entry 4 does not match its hash: its content was changed after it was written',
    });
    const editedChanges = entries.map((e) => (e.seq === 2 ? { ...e, changes: { before: { name: 'old-2' }, after: { name: 'sneaky' } } } : e));
    expect(broken(editedChanges)).toMatchObject({ seq: 2, reason: 'hash-mismatch' });
  });

  it('finds an edited row whose hash was recomputed, at the next row', () => {
    const edited = entries.map((e) => {
      if (e.seq !== 3) return e;
      const changed = { ...e, actorName: 'mallory' };
      return { ...changed, hash: auditHash(e.prevHash, changed) };
    });
    expect(broken(edited)).toEqual({
      checked: 3,
      seq: 4,
      reason: 'prev-hash-mismatch',
      message: 'entry 4 does not point at the hash of entry 3: an earlier entry was removed, replaced or re-hashed',
    });
  });

  it('finds a deleted row by the seq gap', () => {
    expect(broken(entries.filter((e) => e.seq !== 3))).toEqual({
      checked: 2,
      seq: 4,
      reason: 'seq-gap',
      message: 'entry 3 is missing before entry 4: deleted, or not downloaded',
    });
    expect(broken(entries.filter((e) => e.seq !== 3 && e.seq !== 4)).message).toBe('entries 3–4 are missing before entry 5: deleted, or not downloaded');
  });

  it('finds a deleted row even when later seqs were renumbered to hide the gap', () => {
    const renumbered = entries.filter((e) => e.seq !== 3).map((e) => (e.seq > 3 ? { ...e, seq: e.seq - 1 } : e));
    // Renumbering changes the hashed content; the first thing that no longer fits is the link.
    expect(broken(renumbered)).toMatchObject({ checked: 2, seq: 3, reason: 'prev-hash-mismatch' });
  });

  it('finds reordered and duplicated rows', () => {
    const [e1, e2, e3, e4] = entries as [ChainedAuditRecord, ChainedAuditRecord, ChainedAuditRecord, ChainedAuditRecord];
    expect(broken([e1, e3, e2, e4])).toMatchObject({ checked: 1, seq: 3, reason: 'seq-gap' });
    expect(broken([e2, e1])).toEqual({
      checked: 1,
      seq: 1,
      reason: 'seq-order',
      message: 'entry 1 comes where entry 3 was expected: entries are reordered or duplicated',
    });
    expect(broken([e1, e2, e2])).toMatchObject({ checked: 2, seq: 2, reason: 'seq-order' });
    // Swapping the seq numbers along with the rows breaks the links instead.
    expect(broken([e1, { ...e3, seq: 2 }, { ...e2, seq: 3 }])).toMatchObject({ checked: 1, seq: 2, reason: 'prev-hash-mismatch' });
  });

  it('requires seq 1 to follow the genesis hash, even without expectations', () => {
    const forged = { ...record(1), seq: 1 };
    const prevHash = '1'.repeat(64);
    expect(broken([{ ...forged, prevHash, hash: auditHash(prevHash, forged) }])).toEqual({
      checked: 0,
      seq: 1,
      reason: 'prev-hash-mismatch',
      message: 'entry 1 does not point at the start of the chain: an earlier entry was removed, replaced or re-hashed',
    });
  });

  it('verifies a page given where the previous page ended', () => {
    const page = entries.slice(3);
    const after = { expectedFirstPrevHash: entries[2]?.hash, expectedFirstSeq: 4 };
    expect(verifyAuditChain(page, after)).toEqual({ ok: true, checked: 3, lastHash: entries[5]?.hash, lastSeq: 6 });
    expect(verifyAuditChain(page).ok).toBe(true); // without expectations the first link is taken on trust
    expect(broken(page, { expectedFirstPrevHash: entries[1]?.hash })).toMatchObject({ checked: 0, seq: 4, reason: 'prev-hash-mismatch' });
    expect(broken(entries.slice(4), after)).toMatchObject({ checked: 0, seq: 5, reason: 'seq-gap' });
    expect(broken(page, { expectedFirstPrevHash: GENESIS_HASH, expectedFirstSeq: 1 })).toMatchObject({ seq: 4, reason: 'seq-gap' });
  });

  it('reports malformed entries instead of throwing', () => {
    const [e1, e2] = entries as [ChainedAuditRecord, ChainedAuditRecord];
    const { actorId: _a, ...noActor } = e2;
    expect(broken([e1, noActor as ChainedAuditRecord])).toEqual({
      checked: 1,
      seq: 2,
      reason: 'malformed',
      message: 'entry 2: missing actorId (use null for "none")',
    });
    expect(broken([{ ...e1, hash: e1.hash.toUpperCase() }])).toMatchObject({
      seq: 1,
      reason: 'malformed',
      message: 'entry 1: hash is not 64 lower-case hex characters',
    });
    expect(broken([{ ...e1, prevHash: 'nope' }])).toMatchObject({ reason: 'malformed', message: 'entry 1: prevHash is not 64 lower-case hex characters' });
    expect(broken([{ ...e1, seq: '1' as unknown as number }])).toMatchObject({
      seq: null,
      reason: 'malformed',
      message: 'an entry: seq must be an integer >= 1',
    });
    expect(broken([null as unknown as ChainedAuditRecord])).toMatchObject({ seq: null, reason: 'malformed', message: 'an entry: not an object' });
    const withNaN = { ...e1, changes: { x: Number.NaN } };
    expect(broken([withNaN])).toMatchObject({ seq: 1, reason: 'malformed', message: expect.stringContaining('FF_CANONICAL_JSON: $.changes.x') as unknown });
  });
});

describe('AuditChainVerifier (page by page)', () => {
  const entries = chain(10);

  it('gives the same result as verifying everything at once', () => {
    const v = new AuditChainVerifier();
    for (let i = 0; i < entries.length; i += 3) for (const e of entries.slice(i, i + 3)) expect(v.push(e)).toBe(true);
    expect(v.result()).toEqual(verifyAuditChain(entries));
    expect(v.result()).toEqual({ ok: true, checked: 10, lastHash: entries[9]?.hash, lastSeq: 10 });
  });

  it('keeps the first break and ignores what comes after it', () => {
    const v = new AuditChainVerifier();
    const tampered = entries.map((e) => (e.seq === 5 ? { ...e, ip: '6.6.6.6' } : e));
    const pushed = tampered.map((e) => v.push(e));
    expect(pushed).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(v.result()).toMatchObject({ ok: false, checked: 4, brokenAt: { seq: 5, reason: 'hash-mismatch' } });
  });

  it('continues from the previous page of an earlier run', () => {
    const first = verifyAuditChain(entries.slice(0, 5));
    if (!first.ok || first.lastHash === null || first.lastSeq === null) throw new Error('first page should verify');
    const v = new AuditChainVerifier({ expectedFirstPrevHash: first.lastHash, expectedFirstSeq: first.lastSeq + 1 });
    for (const e of entries.slice(5)) v.push(e);
    expect(v.result()).toEqual({ ok: true, checked: 5, lastHash: entries[9]?.hash, lastSeq: 10 });
  });
});
