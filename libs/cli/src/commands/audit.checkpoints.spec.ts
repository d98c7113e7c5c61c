import { checkpointProblems } from './audit.command';

const h = (c: string) => c.repeat(64);

describe('audit verify --expect checkpoints', () => {
  const seen = new Map([
    [10, h('a')],
    [20, h('b')],
  ]);

  it('hold when every recorded entry is still there with the same hash', () => {
    expect(
      checkpointProblems(
        [
          { seq: 10, hash: h('a') },
          { seq: 20, hash: h('b') },
        ],
        seen,
        25,
      ),
    ).toEqual([]);
  });

  it('name an entry that now hashes differently (rewritten) and one that is gone (deleted from the end)', () => {
    expect(
      checkpointProblems(
        [
          { seq: 20, hash: h('c') },
          { seq: 30, hash: h('d') },
        ],
        seen,
        25,
      ),
    ).toEqual([
      `entry 20 now hashes to ${h('b')}, not ${h('c')} as recorded earlier (the chain was rewritten from there or before)`,
      'entry 30 recorded earlier is gone: the log now ends at seq 25 (entries deleted from the end)',
    ]);
  });
});
