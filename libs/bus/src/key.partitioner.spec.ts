import { partitionForKey } from './key.partitioner';

describe('partitionForKey', () => {
  it('is stable for a key (FNV-1a reference values)', () => {
    // FNV-1a 32 of "a" is 0xe40c292c, of "foobar" 0xbf9cf968 (published test vectors).
    expect(partitionForKey('a', 0x7fffffff)).toBe(0xe40c292c % 0x7fffffff);
    expect(partitionForKey('foobar', 1000)).toBe(0xbf9cf968 % 1000);
    expect(partitionForKey('run-42', 8)).toBe(partitionForKey('run-42', 8));
  });

  it('spreads keys over every partition', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionForKey(`run-${i}`, 8)]!++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(700);
      expect(c).toBeLessThan(1300);
    }
  });
});
