import { mapParams, mappingProblems, valueAt } from './param-mapping';

describe('trigger parameter mapping', () => {
  const event = { payload: { order: { id: 'o-1', total: 12.5, lines: [{ sku: 'A' }], paid: true, note: null } }, meta: { key: 'k', 'header.source': 'shop' } };

  it('maps whole references (text as is, other JSON as JSON), embedded references and literals', () => {
    expect(
      mapParams(
        {
          id: '${payload.order.id}',
          total: '${payload.order.total}',
          sku: '${payload.order.lines[0].sku}',
          key: '${meta.key}',
          source: '${meta.header.source}',
          path: 'in/${meta.key}/${payload.order.id}.csv',
          fixed: 'web',
          lines: '${payload.order.lines}',
        },
        event,
      ),
    ).toEqual({
      ok: true,
      params: { id: 'o-1', total: '12.5', sku: 'A', key: 'k', source: 'shop', path: 'in/k/o-1.csv', fixed: 'web', lines: '[{"sku":"A"}]' },
    });
  });

  it('does not match when a referenced field is missing or null, naming the parameter and the field', () => {
    expect(mapParams({ day: '${payload.order.day}' }, event)).toEqual({ ok: false, reason: 'parameter "day": payload.order.day is missing from the event' });
    expect(mapParams({ note: 'x-${payload.order.note}' }, event)).toEqual({
      ok: false,
      reason: 'parameter "note": payload.order.note is missing from the event',
    });
    expect(mapParams({ h: '${meta.header.other}' }, event)).toMatchObject({ ok: false });
  });

  it('reads own properties only: a path cannot reach the prototype', () => {
    expect(valueAt({ a: {} }, '.a.constructor')).toBeUndefined();
    expect(valueAt({ a: [1, 2] }, '.a[5]')).toBeUndefined();
  });

  it('names each malformed reference', () => {
    expect(mappingProblems({ ok: '${payload.a}', bad: '${body.a}', open: '${payload.a' })).toEqual([
      { field: 'params.bad', message: expect.stringContaining('${payload.<path>}') },
      { field: 'params.open', message: expect.stringContaining('${meta.<name>}') },
    ]);
  });
});
