import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createHelixLimiter, type HelixLimiter } from '../../../src/twitch/helixLimiter.js';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: false });
const limiters: HelixLimiter[] = [];

afterAll(async () => {
  await Promise.all(limiters.map((limiter) => limiter.stop()));
  redis.disconnect();
});

function limiter(options: Parameters<typeof createHelixLimiter>[0]): HelixLimiter {
  const created = createHelixLimiter(options);
  limiters.push(created);
  return created;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Helix limiter', () => {
  it('shares one budget between processes through Redis', async () => {
    // 60 points a minute: a burst of 10, then one per second, for both limiters together.
    const id = `tcs_test_sync_${randomBytes(4).toString('hex')}`;
    const a = limiter({ budgetPerMinute: 60, redis, id });
    const b = limiter({ budgetPerMinute: 60, redis, id });
    let done = 0;
    const jobs = Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0 ? a : b).schedule('incremental', async () => {
        done += 1;
      }),
    );
    await sleep(1_300);
    // Separate budgets would have let all 16 through at once.
    expect(done).toBeGreaterThanOrEqual(10);
    expect(done).toBeLessThanOrEqual(12);
    await a.stop();
    await b.stop();
    await Promise.allSettled(jobs);
  });

  it('serves interactive calls before queued backfill calls', async () => {
    // 180 a minute: a burst of 30, then 3 per second.
    const local = limiter({ budgetPerMinute: 180, maxConcurrent: 1 });
    const order: string[] = [];
    const drain = Array.from({ length: 30 }, () => local.schedule('backfill', async () => undefined));
    await Promise.all(drain);
    const queued = [
      local.schedule('backfill', async () => void order.push('backfill')),
      local.schedule('incremental', async () => void order.push('incremental')),
      local.schedule('interactive', async () => void order.push('interactive')),
    ];
    await Promise.all(queued);
    expect(order).toEqual(['interactive', 'incremental', 'backfill']);
  });
});

describe('Helix limiter without Redis', () => {
  it('keeps serving calls from a local budget while Redis is unreachable', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: false, maxRetriesPerRequest: 1 });
    deadRedis.on('error', () => undefined);
    const degraded = limiter({ budgetPerMinute: 600, redis: deadRedis, id: 'tcs_test_sync_dead' });
    const started = Date.now();
    await expect(degraded.schedule('interactive', async () => 'ran')).resolves.toBe('ran');
    expect(Date.now() - started).toBeLessThan(1_000);
    await degraded.stop();
    deadRedis.disconnect();
  });
});
