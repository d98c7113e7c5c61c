import { fieldsOf, MAX_AUDITED_FIELDS } from './audit.recorder';

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
