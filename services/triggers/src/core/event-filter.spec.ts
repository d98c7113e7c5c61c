import { matchFilter, messageFilterSchema } from './event-filter';

describe('message filter', () => {
  const event = { payload: { kind: 'order', order: { status: 'paid', n: 3 }, items: [{ sku: 'A' }] }, meta: { key: 'k1', 'header.source': 'shop' } };

  it('matches when every condition holds (key, headers case-insensitively by name, JSON fields by path)', () => {
    expect(matchFilter({ key: 'k1', headers: { Source: 'shop' }, fields: { kind: 'order', 'order.n': 3, 'items[0].sku': 'A' } }, event)).toEqual({
      matched: true,
      reason: 'filter matched',
    });
    expect(matchFilter(undefined, event).matched).toBe(true);
  });

  it('names the first condition that fails, with what was there and what was wanted', () => {
    expect(matchFilter({ key: 'k2' }, event)).toEqual({ matched: false, reason: 'key is "k1", wanted "k2"' });
    expect(matchFilter({ headers: { tenant: 'x' } }, event)).toEqual({ matched: false, reason: 'header "tenant" is absent, wanted "x"' });
    expect(matchFilter({ fields: { 'order.status': 'draft' } }, event)).toEqual({ matched: false, reason: 'field "order.status" is "paid", wanted "draft"' });
    expect(matchFilter({ fields: { 'order.n': '3' } }, event)).toEqual({ matched: false, reason: 'field "order.n" is 3, wanted "3"' });
  });

  it('refuses a message that was not a JSON object, whatever the filter', () => {
    expect(matchFilter(undefined, { payload: {}, meta: { invalid: 'the message body is not JSON' } })).toEqual({
      matched: false,
      reason: 'the message body is not JSON',
    });
  });

  it('validates field paths and unknown keys', () => {
    const r = messageFilterSchema.safeParse({ fields: { 'a..b': 1 }, other: 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['', 'fields.a..b']);
  });
});
