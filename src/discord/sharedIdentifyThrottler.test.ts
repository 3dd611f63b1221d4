import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Cache } from '../cache/Cache.js';
import { MemoryCache } from '../cache/MemoryCache.js';
import { sharedIdentifyThrottler } from './sharedIdentifyThrottler.js';

type Builder = ReturnType<typeof sharedIdentifyThrottler>;
type Manager = Parameters<Builder>[0];

/** The one call the builder makes on @discordjs/ws's manager. */
function managerWith(maxConcurrency: number): Manager {
  return {
    fetchGatewayInformation: () =>
      Promise.resolve({ session_start_limit: { max_concurrency: maxConcurrency } }),
  } as unknown as Manager;
}

/** Two processes: two throttlers (each with its own registry) over one shared cache. */
async function twoProcesses(cache: Pick<Cache, 'increment'>, maxConcurrency: number) {
  const build = () =>
    sharedIdentifyThrottler({
      cache,
      applicationId: '123456789012345678',
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      holdSeconds: 1,
      retryMs: 25,
    })(managerWith(maxConcurrency));
  return Promise.all([build(), build()]);
}

type Throttler = Awaited<ReturnType<Builder>>;

/** Shards 0 and 1 ask at once, one in each process; returns how long each waited (ms). */
function identifyShards0And1(first: Throttler, second: Throttler): Promise<number[]> {
  const started = Date.now();
  return Promise.all(
    [first, second].map(async (throttler, shard) => {
      await throttler.waitForIdentify(shard, new AbortController().signal);
      return Date.now() - started;
    }),
  );
}

describe('sharedIdentifyThrottler', () => {
  it('lets one shard of a rate-limit key identify per interval, whichever process runs it', async () => {
    const [first, second] = await twoProcesses(new MemoryCache(), 1);
    const times = await identifyShards0And1(first, second);
    const [sooner, later] = times.sort((a, b) => a - b);
    expect(sooner).toBeLessThan(500);
    expect(later).toBeGreaterThanOrEqual(900);
  });

  it('lets shards of different keys (shard_id % max_concurrency) identify together', async () => {
    const [first, second] = await twoProcesses(new MemoryCache(), 2);
    const times = await identifyShards0And1(first, second);
    expect(Math.max(...times)).toBeLessThan(500);
  });

  it('never makes one bot wait for another bot sharing the cache', async () => {
    const cache = new MemoryCache();
    const [first] = await twoProcesses(cache, 1);
    const other = await sharedIdentifyThrottler({
      cache,
      applicationId: '876543210987654321',
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      holdSeconds: 1,
    })(managerWith(1));
    expect(Math.max(...(await identifyShards0And1(first, other)))).toBeLessThan(500);
  });

  it('stops waiting when the shard closes (its signal aborts)', async () => {
    const [first, second] = await twoProcesses(new MemoryCache(), 1);
    await first.waitForIdentify(0, new AbortController().signal);
    const closing = new AbortController();
    const waiting = second.waitForIdentify(2, closing.signal);
    closing.abort(new Error('shard closed'));
    await expect(waiting).rejects.toThrow();
  });

  it('spaces its own shards locally while the shared cache cannot answer', async () => {
    const unavailable = { increment: () => Promise.resolve(undefined) };
    const [throttler] = await twoProcesses(unavailable, 1);
    const started = Date.now();
    await throttler.waitForIdentify(0, new AbortController().signal);
    expect(Date.now() - started).toBeLessThan(500);
    // @discordjs/ws's SimpleIdentifyThrottler: the next shard of the key waits out the 5 s window.
    const next = throttler.waitForIdentify(1, new AbortController().signal).then(() => 'identified');
    const soon = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300));
    expect(await Promise.race([next, soon])).toBe('still waiting');
  });
});
