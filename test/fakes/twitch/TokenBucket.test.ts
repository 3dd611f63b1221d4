import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './TokenBucket.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenBucket', () => {
  it('counts down, refuses when empty and refills continuously', () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
    const bucket = new TokenBucket({ points: 4, windowMs: 4_000 });
    expect([1, 2, 3, 4].map(() => bucket.take().state.remaining)).toEqual([3, 2, 1, 0]);
    const refused = bucket.take();
    expect(refused.allowed).toBe(false);
    expect(refused.state.resetEpochSeconds).toBe(Date.parse('2026-01-01T00:00:04Z') / 1000);
    vi.advanceTimersByTime(1_000);
    expect(bucket.take().allowed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(bucket.peek().remaining).toBe(4);
  });
});
