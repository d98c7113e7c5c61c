import { objectKeysOf } from './webhook.controller';

const body = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

describe('object-store notification keys', () => {
  it('takes the object-created keys of S3 event JSON, decoded, direct or in an SNS envelope', () => {
    const records = {
      Records: [
        { eventName: 's3:ObjectCreated:Put', s3: { object: { key: 'in/orders+2026%2F01.csv' } } },
        { eventName: 'ObjectRemoved:Delete', s3: { object: { key: 'in/gone.csv' } } },
        { eventName: 'ObjectCreated:Copy', s3: { object: { key: 'in/b.csv' } } },
        { eventName: 'ObjectCreated:Put', s3: { object: {} } },
      ],
    };
    expect(objectKeysOf(body(records))).toEqual(['in/orders 2026/01.csv', 'in/b.csv']);
    expect(objectKeysOf(body({ Type: 'Notification', Message: JSON.stringify(records) }))).toEqual(['in/orders 2026/01.csv', 'in/b.csv']);
  });

  it('refuses what is not one, naming why (422), and takes at most 1000 records', () => {
    expect(() => objectKeysOf(Buffer.from('not json'))).toThrow(/not JSON/);
    expect(() => objectKeysOf(body({ Records: 'x' }))).toThrow(/no Records/);
    expect(() => objectKeysOf(body({ Type: 'Notification', Message: '{' }))).toThrow(/Message is not JSON/);
    expect(() => objectKeysOf(body({ Type: 'SubscriptionConfirmation' }))).toThrow(/SubscribeURL/);
    const many = { Records: Array.from({ length: 1500 }, (_, i) => ({ eventName: 'ObjectCreated:Put', s3: { object: { key: `k${i}` } } })) };
    expect(objectKeysOf(body(many))).toHaveLength(1000);
  });
});
