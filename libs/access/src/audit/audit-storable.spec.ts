import { AUDIT_FIELD_LIMITS, ESCAPED_NUL, storableAuditRecord, storableJson, storableText, truncationMarker } from './audit-storable';
import { auditHash, GENESIS_HASH, type AuditRecord } from './audit-chain';
import { canonicalJson } from './canonical-json';

const HIGH = '\uD83D';
const LOW = '\uDE00';
const PAIR = `${HIGH}${LOW}`; // 😀

function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

describe('storableText', () => {
  it('writes a NUL byte as the six characters \\u0000, keeping the rest legible', () => {
    expect(storableText('a\0b', 100)).toBe('a\\u0000b');
    expect(storableText('\0\0', 100)).toBe(`${ESCAPED_NUL}${ESCAPED_NUL}`);
    expect(storableText('a\0b', 100)).not.toContain('\0');
  });

  it('replaces lone surrogates (high, low, reversed pair) with U+FFFD and keeps real pairs', () => {
    expect(storableText(`x${HIGH}y`, 100)).toBe('x\uFFFDy');
    expect(storableText(`x${LOW}`, 100)).toBe('x\uFFFD');
    expect(storableText(`${LOW}${HIGH}`, 100)).toBe('\uFFFD\uFFFD');
    expect(storableText(`ok ${PAIR}`, 100)).toBe(`ok ${PAIR}`);
  });

  it('bounds a long value and ends it with a marker naming the original length', () => {
    const big = 'x'.repeat(1024 * 1024);
    const out = storableText(big, 512);
    expect(out).toHaveLength(512);
    expect(out.endsWith(truncationMarker(big.length))).toBe(true);
    expect(out.startsWith('xxxx')).toBe(true);
  });

  it('never cuts a surrogate pair in half', () => {
    const text = PAIR.repeat(1000);
    for (let max = 40; max < 50; max++) {
      const out = storableText(text, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(out)).toBe(false);
    }
  });

  it('cuts without a marker when the bound is shorter than the marker', () => {
    expect(storableText('abcdefghij', 4)).toBe('abcd');
  });

  it('leaves a value already storable unchanged, and is idempotent on the ones it changed', () => {
    expect(storableText('plain ümlaut 😀', 100)).toBe('plain ümlaut 😀');
    const once = storableText(`a\0${HIGH}${'z'.repeat(5000)}`, 300);
    expect(storableText(once, 300)).toBe(once);
  });
});

describe('storableJson', () => {
  it('makes strings and keys storable at any depth, and round-trips through JSON unchanged', () => {
    const out = storableJson({ ['k\0']: [`v${HIGH}`, { deep: 'a\0b' }], n: 1.5, t: true, z: null });
    expect(out).toEqual({ 'k\\u0000': ['v\uFFFD', { deep: 'a\\u0000b' }], n: 1.5, t: true, z: null });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    // JSON.stringify escapes only lone surrogates as \udxxx: none may be left.
    expect(JSON.stringify(out)).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
  });

  it('turns what JSON would change or refuse into what it means, so canonicalJson never throws on it', () => {
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const value = { nan: NaN, inf: -Infinity, big: 12n, undef: undefined, fn: () => 1, at: new Date(0), arr: [undefined, Symbol('s')], cyclic, negZero: -0 };
    const out = storableJson(value) as Record<string, unknown>;
    expect(out).toEqual({
      nan: null,
      inf: null,
      big: '12',
      at: '1970-01-01T00:00:00.000Z',
      arr: [null, null],
      cyclic: { name: 'c', self: '[cycle]' },
      negZero: 0,
    });
    expect(() => canonicalJson(out)).not.toThrow();
    expect(storableJson(undefined)).toBeNull();
  });

  it('replaces containers nested deeper than the bound by a marker, without overflowing the stack', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const out = storableJson(deep, { maxDepth: 5 });
    expect(JSON.stringify(out)).toBe('{"d":{"d":{"d":{"d":{"d":"[truncated: nested deeper than 5 levels]"}}}}}');
    expect(() => canonicalJson(storableJson(deep))).not.toThrow();
  });

  it('bounds each string and the whole value, saying how much was left out', () => {
    const out = storableJson({ field: 'y'.repeat(1024 * 1024), list: Array.from({ length: 100_000 }, (_, i) => `item-${i}`) }) as {
      field: string;
      list: string[];
    };
    expect(out.field).toHaveLength(8192);
    expect(out.field.endsWith(truncationMarker(1024 * 1024))).toBe(true);
    expect(JSON.stringify(out).length).toBeLessThan(70 * 1024);
    expect(out.list[out.list.length - 1]).toMatch(/^\[truncated: \d+ more items\]$/);

    const keys = storableJson(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`key-${i}`, i]))) as Record<string, unknown>;
    expect(keys['…']).toMatch(/^\[truncated: \d+ more keys\]$/);
    expect(JSON.stringify(keys).length).toBeLessThan(70 * 1024);
  });

  it('gives a value within its bounds back equal', () => {
    const value = { before: { name: 'a', tags: ['x', 'y'], n: 3 }, after: { name: 'b', nested: { ok: true } } };
    expect(storableJson(value)).toEqual(value);
  });
});

describe('storableAuditRecord', () => {
  const base: Omit<AuditRecord, 'seq'> = {
    id: '00000000-0000-4000-8000-000000000001',
    at: '2026-01-01T00:00:00.000Z',
    service: 'gateway',
    actorType: 'user',
    actorId: 'u-1',
    actorName: 'ada',
    action: 'job:edit',
    resourceType: 'job',
    resourceId: 'a\0b',
    outcome: 'denied',
    status: 403,
    ip: '127.0.0.1',
    userAgent: `agent ${HIGH}`,
    traceId: null,
    changes: { route: 'PUT /api/v1/jobs/:name', note: 'z'.repeat(1024 * 1024) },
  };

  it('makes every field storable and bounded, and the result hashes', () => {
    const out = storableAuditRecord(base);
    expect(out.resourceId).toBe('a\\u0000b');
    expect(out.userAgent).toBe('agent \uFFFD');
    expect((out.changes as { note: string }).note.length).toBeLessThanOrEqual(8192);
    expect(() => auditHash(GENESIS_HASH, { ...out, seq: 1 })).not.toThrow();
    for (const [field, max] of Object.entries(AUDIT_FIELD_LIMITS)) {
      const long = storableAuditRecord({ ...base, [field]: 'q'.repeat(1024 * 1024) });
      expect(String(long[field as keyof typeof long]).length).toBeLessThanOrEqual(max);
    }
  });

  it('keeps nulls, and an integer status only', () => {
    const out = storableAuditRecord({ ...base, actorId: null, resourceId: null, changes: null, status: 2 ** 40 });
    expect(out).toMatchObject({ actorId: null, resourceId: null, changes: null, status: null });
    expect(storableAuditRecord({ ...base, status: 1.5 }).status).toBeNull();
    expect(storableAuditRecord(base).status).toBe(403);
  });

  it('changes nothing in an ordinary entry', () => {
    const ordinary = { ...base, resourceId: 'nightly', userAgent: 'curl/8', changes: { route: 'PUT /api/v1/jobs/:name', fields: ['spec'] } };
    expect(storableAuditRecord(ordinary)).toEqual(ordinary);
  });
});
