import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    const a = { id: 'x', changes: { after: { name: 'n', tags: ['t'] }, before: {} } };
    const b = { changes: { before: {}, after: { tags: ['t'], name: 'n' } }, id: 'x' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(JSON.parse(canonicalJson(a)))).toBe(canonicalJson(a));
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(0.1)).toBe('0.1');
    expect(canonicalJson('é"\n\u2028')).toBe(JSON.stringify('é"\n\u2028'));
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('sorts by UTF-16 code units (as RFC 8785 does), not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4, '10': 5, '9': 6 })).toBe('{"10":5,"9":6,"B":2,"a":3,"b":1,"é":4}');
  });

  it('leaves out undefined object properties, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('writes what toJSON returns (a Date as its ISO string)', () => {
    const at = new Date('2025-01-02T03:04:05.678Z');
    expect(canonicalJson({ at })).toBe('{"at":"2025-01-02T03:04:05.678Z"}');
  });

  it('refuses what JSON would silently change, naming where it is', () => {
    expect(() => canonicalJson(undefined)).toThrow('FF_CANONICAL_JSON: $: undefined has no JSON form here');
    expect(() => canonicalJson([1, undefined])).toThrow('FF_CANONICAL_JSON: $[1]: undefined');
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow('FF_CANONICAL_JSON: $.a.b: NaN has no JSON form');
    expect(() => canonicalJson({ a: Infinity })).toThrow('$.a: Infinity has no JSON form');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('$.f: a function has no JSON form');
    expect(() => canonicalJson({ s: Symbol('x') })).toThrow('$.s: a symbol has no JSON form');
    expect(() => canonicalJson({ n: 10n })).toThrow('$.n: a bigint has no JSON form');
    expect(() => canonicalJson({ m: new Map() })).toThrow('$.m: a Map has no JSON form');
    expect(() => canonicalJson([new Set([1])])).toThrow('$[0]: a Set has no JSON form');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow('FF_CANONICAL_JSON: $.self: the value contains itself (a cycle)');
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
