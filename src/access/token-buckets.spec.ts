import { describe, expect, it } from '@jest/globals';
import { TokenBuckets } from './token-buckets.js';

describe('TokenBuckets', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('allows the burst at once, then the rate, and says how long to wait', () => {
    const time = clock();
    const buckets = new TokenBuckets(2, 3, time.now);
    expect([1, 2, 3].map(() => buckets.take('k'))).toEqual([0, 0, 0]);
    expect(buckets.take('k')).toBe(1);
    time.advance(500); // one token back at 2/s
    expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBe(1);
    time.advance(10_000); // refills to the burst, not beyond
    expect([1, 2, 3, 4].map(() => buckets.take('k'))).toEqual([0, 0, 0, 1]);
  });

  it('keeps keys apart, and peeks without taking', () => {
    const time = clock();
    const buckets = new TokenBuckets(1 / 60, 2, time.now);
    expect(buckets.peek('a')).toBe(0);
    buckets.take('a');
    buckets.take('a');
    expect(buckets.peek('a')).toBe(60);
    expect(buckets.take('b')).toBe(0);
    expect(buckets.peek('a')).toBe(60);
  });

  it('stays within its key limit under a flood of distinct keys', () => {
    const time = clock();
    const buckets = new TokenBuckets(1, 1, time.now, 100);
    for (let i = 0; i < 1_000; i++) buckets.take(`ip-${i}`);
    expect(
      (buckets as unknown as { buckets: Map<string, unknown> }).buckets.size,
    ).toBeLessThanOrEqual(100);
  });
});
