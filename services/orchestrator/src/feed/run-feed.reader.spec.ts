import { FEED_START, formatCursor, parseCursor } from './run-feed.reader';

describe('run feed cursor (the SSE event id)', () => {
  it('round-trips', () => {
    expect(parseCursor(formatCursor({ transitions: '12', logs: '40' }))).toEqual({ transitions: '12', logs: '40' });
  });

  it('starts from the beginning for a missing or malformed id', () => {
    for (const bad of [undefined, '', '12', '12.', 'a.b', '1.2.3', '-1.2', '1'.repeat(20) + '.1']) expect(parseCursor(bad)).toEqual(FEED_START);
  });
});
