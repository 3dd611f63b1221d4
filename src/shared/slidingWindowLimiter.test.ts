import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSlidingWindowLimiter } from './slidingWindowLimiter.js';

describe('createSlidingWindowLimiter', () => {
  afterEach(() => vi.useRealTimers());

  it('starts up to the limit at once, then one more each time the oldest start leaves the window', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = createSlidingWindowLimiter({ limit: 3, windowMs: 1000 });
    const startedAt: number[] = [];
    const calls = Array.from({ length: 7 }, () =>
      limiter.schedule(async () => {
        startedAt.push(Date.now());
      }),
    );
    await vi.advanceTimersByTimeAsync(2500);
    await Promise.all(calls);
    expect(startedAt).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('never starts more than the limit in any window, however the calls arrive', async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = createSlidingWindowLimiter({ limit: 5, windowMs: 1000 });
    const startedAt: number[] = [];
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 40; i += 1) {
      calls.push(limiter.schedule(async () => void startedAt.push(Date.now())));
      await vi.advanceTimersByTimeAsync(37 * (i % 4));
    }
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
    expect(startedAt).toHaveLength(40);
    for (const start of startedAt) {
      expect(startedAt.filter((other) => other >= start && other < start + 1000).length).toBeLessThanOrEqual(
        5,
      );
    }
  });

  it('passes on the result and the error of the work', async () => {
    const limiter = createSlidingWindowLimiter({ limit: 1, windowMs: 10 });
    await expect(limiter.schedule(async () => 'ok')).resolves.toBe('ok');
    await expect(
      limiter.schedule(async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
  });
});
