import { canonicalJson, specHash } from './canonical-json';

describe('canonicalJson / specHash', () => {
  it('ignores key order and undefined members at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: undefined } };
    const b = { a: { y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(specHash(a)).toBe(specHash(b));
  });

  it('keeps array order significant', () => {
    expect(specHash({ steps: ['a', 'b'] })).not.toBe(specHash({ steps: ['b', 'a'] }));
  });
});
