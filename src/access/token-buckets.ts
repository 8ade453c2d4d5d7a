/**
 * Token buckets by key (an API key id, a client address): each holds up to `burst` tokens and
 * refills at `perSecond`. In memory, per process: behind N replicas a client gets N times the
 * rate, which the README says. Idle full buckets are dropped once there are many, so a flood of
 * distinct addresses cannot grow the map without bound.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes a token: 0 when there was one, else the whole seconds until there will be one. */
  take(key: string): number {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.wait(bucket.tokens);
  }

  /** Like take, without taking: the seconds until a token is there (0: one is). */
  peek(key: string): number {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return 0;
    const tokens = this.refilled(key).tokens;
    return tokens >= 1 ? 0 : this.wait(tokens);
  }

  private wait(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
  }

  private refilled(key: string): { tokens: number; at: number } {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.dropFull(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    bucket.at = now;
    return bucket;
  }

  private dropFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond;
      if (tokens >= this.burst) this.buckets.delete(key);
    }
    // Every bucket still in use: forget the oldest rather than grow (a Map iterates in insertion order).
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
