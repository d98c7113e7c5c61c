import { fieldsOf, MAX_AUDITED_FIELDS, resourceIdOf } from './audit.recorder';

describe('fieldsOf', () => {
  it('lists leaf paths in body order, arrays as leaves', () => {
    expect(fieldsOf({ workflow: 'x', params: { a: 1, b: { c: [1, 2] } }, key: null })).toEqual(['workflow', 'params.a', 'params.b.c', 'key']);
    expect(fieldsOf(undefined)).toEqual([]);
  });

  it('survives a body nested 100,000 objects deep (no recursion), naming it at a bounded depth', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const out = fieldsOf(deep);
    expect(out).toHaveLength(1);
    expect(out[0]!.split('.')).toHaveLength(16);
  });

  it('lists at most MAX_AUDITED_FIELDS names, then an ellipsis', () => {
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, i]));
    const out = fieldsOf({ params: wide });
    expect(out).toHaveLength(MAX_AUDITED_FIELDS + 1);
    expect(out[0]).toBe('params.p0');
    expect(out.at(-1)).toBe('…');
  });
});

describe('resourceIdOf', () => {
  const of = (params: Record<string, string>) => resourceIdOf({ params } as never);
  it('makes a NUL or a lone surrogate storable, and bounds the length', () => {
    expect(of({ name: 'a\u0000b' })).toBe('a\\u0000b');
    expect(of({ id: 'x\ud800' })).toBe('x\\ud800');
    expect(of({ name: '😀' })).toBe('😀');
    expect(of({ name: 'n'.repeat(1000) })).toHaveLength(200);
    expect(of({ name: 'n' + '😀'.repeat(200) })?.endsWith('\\ud83d')).toBe(true);
    expect(of({})).toBeNull();
  });
});
