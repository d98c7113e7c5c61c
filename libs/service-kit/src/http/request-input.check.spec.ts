import { fieldPath, jsonDepthExceeds, unsafeTextFields } from './request-input.check';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays, stopping past the limit', () => {
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes('['.repeat(1_000_000)), 64)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify({ s: '[[[[{{{{"\\"[[[[' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ s: 'x\\', t: [[1]] })), 2)).toBe(true);
  });

  it('closing brackets bring the depth back down', () => {
    expect(jsonDepthExceeds(bytes('[[1],[2],[3],{"a":{}}]'), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes('[[1],[2],[3],{"a":{}}]'), 2)).toBe(true);
  });
});

describe('unsafeTextFields', () => {
  it('names a NUL or a lone surrogate by its path, keys included', () => {
    const body = { workflow: 'ok', params: { a: { b: 'x\ud800' }, list: ['fine', 'n\u0000'], 'my key': '\udc00', ['k\u0000']: 1 } };
    expect(
      unsafeTextFields(body, '')
        .map((e) => e.field)
        .sort(),
    ).toEqual(['params.a.b', 'params.list[1]', 'params["k\\u0000"]', 'params["my key"]']);
  });

  it('accepts well-formed text: surrogate pairs, emoji, other control characters', () => {
    expect(unsafeTextFields({ a: '😀 ok \t\u0001', b: ['\ud83d\ude00'] }, '')).toEqual([]);
  });

  it('walks deep values without recursion and reports a bounded number of fields', () => {
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(unsafeTextFields(deep, '')).toEqual([{ field: `${'a.'.repeat(99_999)}a`, message: expect.stringContaining('NUL') }]);
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    expect(unsafeTextFields(deep, '')).toEqual([]); // past the node bound (no parsed body gets there): stops, does not throw
    const many = Array.from({ length: 1000 }, () => '\u0000');
    expect(unsafeTextFields(many, 'items')).toHaveLength(20);
  });

  it('fieldPath quotes names that are not identifiers', () => {
    expect([fieldPath('', 'a'), fieldPath('a', 'b'), fieldPath('a', 0), fieldPath('a', 'x-y')]).toEqual(['a', 'a.b', 'a[0]', 'a["x-y"]']);
  });
});
