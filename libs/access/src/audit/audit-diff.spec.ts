import { canonicalJson } from './canonical-json';
import { DEFAULT_REDACTED_KEYS, REDACTED, diffChanges } from './audit-diff';

describe('diffChanges', () => {
  it('keeps only the changed top-level keys', () => {
    const before = { name: 'daily-sales', description: 'old', tags: ['a'], enabled: true };
    const after = { name: 'daily-sales', description: 'new', tags: ['a'], enabled: true };
    expect(diffChanges(before, after)).toEqual({ before: { description: 'old' }, after: { description: 'new' } });
  });

  it('keeps only the changed nested keys, and added/removed keys on their side only', () => {
    const before = { spec: { timeoutMs: 1000, concurrency: { maxRuns: 1, overlap: 'allow' }, owner: 'ada' }, gone: 1 };
    const after = { spec: { timeoutMs: 1000, concurrency: { maxRuns: 2, overlap: 'allow' }, retries: 3 }, added: 'x' };
    expect(diffChanges(before, after)).toEqual({
      before: { spec: { concurrency: { maxRuns: 1 }, owner: 'ada' }, gone: 1 },
      after: { spec: { concurrency: { maxRuns: 2 }, retries: 3 }, added: 'x' },
    });
  });

  it('compares arrays whole and keeps them whole', () => {
    expect(diffChanges({ roles: ['admin', 'analyst'] }, { roles: ['admin'] })).toEqual({
      before: { roles: ['admin', 'analyst'] },
      after: { roles: ['admin'] },
    });
    expect(diffChanges({ roles: ['a', { b: 1 }] }, { roles: ['a', { b: 1 }] })).toEqual({ before: {}, after: {} });
  });

  it('gives empty objects when nothing changed, treating undefined as absent', () => {
    expect(diffChanges({ a: 1, b: undefined }, { a: 1 })).toEqual({ before: {}, after: {} });
    expect(diffChanges({ a: { b: 1 } }, { a: { b: 1 } })).toEqual({ before: {}, after: {} });
  });

  it('compares values as they will be stored: a Date equals its ISO text', () => {
    const at = '2025-01-02T03:04:05.678Z';
    expect(diffChanges({ at: new Date(at) }, { at })).toEqual({ before: {}, after: {} });
    expect(diffChanges({ at: new Date(at) }, { at: new Date(0) })).toEqual({ before: { at: new Date(at) }, after: { at: new Date(0) } });
  });

  it('keeps whole values for a creation or deletion, with undefined as null', () => {
    expect(diffChanges(null, { name: 'x' })).toEqual({ before: null, after: { name: 'x' } });
    expect(diffChanges({ name: 'x' }, undefined)).toEqual({ before: { name: 'x' }, after: null });
    expect(diffChanges(1, 2)).toEqual({ before: 1, after: 2 });
    expect(diffChanges([1], { a: 1 })).toEqual({ before: [1], after: { a: 1 } });
  });

  it('redacts secret-bearing keys at any depth, case-insensitively, showing only that they changed', () => {
    const before = { username: 'ada', passwordHash: '$argon2id$old', mfa: { TOTPSECRET: 'AAAA', enabled: false } };
    const after = { username: 'ada', passwordHash: '$argon2id$new', mfa: { TOTPSECRET: 'BBBB', enabled: true } };
    expect(diffChanges(before, after)).toEqual({
      before: { passwordHash: REDACTED, mfa: { TOTPSECRET: REDACTED, enabled: false } },
      after: { passwordHash: REDACTED, mfa: { TOTPSECRET: REDACTED, enabled: true } },
    });
    // Unchanged secrets do not appear; a newly set one appears on the after side only.
    expect(diffChanges({ password: 'x', a: 1 }, { password: 'x', a: 2 })).toEqual({ before: { a: 1 }, after: { a: 2 } });
    expect(diffChanges({ a: 1 }, { a: 1, secret: 's' })).toEqual({ before: {}, after: { secret: REDACTED } });
  });

  it('redacts inside whole values too (creation, arrays, replaced sub-objects)', () => {
    expect(diffChanges(null, { user: 'ada', password: 'hunter2hunter2', tokens: [{ name: 't', tokenHash: 'abc' }] })).toEqual({
      before: null,
      after: { user: 'ada', password: REDACTED, tokens: [{ name: 't', tokenHash: REDACTED }] },
    });
    expect(diffChanges({ cfg: 1 }, { cfg: { secret: 's' } })).toEqual({ before: { cfg: 1 }, after: { cfg: { secret: REDACTED } } });
  });

  it('takes its own key list, replacing the default', () => {
    expect(DEFAULT_REDACTED_KEYS).toContain('passwordHash');
    expect(diffChanges({ apiKey: 'a', password: 'p' }, { apiKey: 'b', password: 'q' }, { redactKeys: ['apiKey'] })).toEqual({
      before: { apiKey: REDACTED, password: 'p' },
      after: { apiKey: REDACTED, password: 'q' },
    });
  });

  it('produces something canonicalJson can hash', () => {
    const d = diffChanges({ a: 1, b: { c: undefined, d: 2 } }, { a: 2, b: { d: 3 }, e: [1, 2] });
    expect(canonicalJson(d)).toBe('{"after":{"a":2,"b":{"d":3},"e":[1,2]},"before":{"a":1,"b":{"d":2}}}');
  });

  it('refuses values that could not be hashed, with the canonical JSON error', () => {
    expect(() => diffChanges({ a: 1 }, { a: Number.NaN })).toThrow('FF_CANONICAL_JSON');
  });
});
