// Redis is optional infrastructure: these tests kill a private redis-server under a live cache and check
// that the bot-facing behaviour degrades (misses, no-ops, no throws, few log lines) and recovers by itself.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createCache } from '../../../src/cache/createCache.js';
import { RedisCache } from '../../../src/cache/RedisCache.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetricsRegistry } from '../../../src/observability/metrics.js';
import { freePort, RedisServer } from '../../support/redisServer.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const servers: RedisServer[] = [];
const caches: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('the Redis cache during an outage', () => {
  it('degrades to misses and no-ops without throwing, logs once, and recovers after a restart', async () => {
    const server = new RedisServer(await freePort());
    servers.push(server);
    await server.start();
    const { logger, lines } = capturingLogger();
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const cache = new RedisCache({
      url: server.url,
      keyPrefix: 'outage:',
      logger,
      registry,
      maxReconnectDelayMs: 200,
      commandTimeoutMs: 500,
    });
    caches.push(cache);
    expect(await cache.waitUntilReady(5_000)).toBe(true);
    await cache.set('before', 'outage', 60);
    expect(await cache.get('before')).toBe('outage');
    expect(cache.health()).toEqual({ up: true, detail: 'redis ready' });

    await server.stop();
    await waitFor(() => !cache.health().up, 5_000, 'health to report the outage');
    expect(cache.health().detail).toMatch(/^redis (connecting|reconnecting|close) since \d{4}-/);

    const started = performance.now();
    for (let i = 0; i < 100; i += 1) {
      expect(await cache.get('before')).toBeUndefined();
      await cache.set(`during-${i}`, i, 60);
    }
    await cache.delete('before');
    await cache.deleteByPrefix('');
    expect(await cache.increment('counter', 1, 60)).toBeUndefined();
    const elapsedMs = performance.now() - started;
    // Failing fast matters: each call must cost far less than a Discord interaction's 3 s deadline.
    expect(elapsedMs).toBeLessThan(2_000);

    const outageWarnings = lines.filter((line) => line.level === 'warn');
    expect(outageWarnings).toHaveLength(1);
    expect(outageWarnings[0]).toMatchObject({
      component: 'cache',
      msg: 'Redis cache unavailable: reads are misses and writes are skipped until it is back',
    });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/tcs_cache_operations_total\{backend="redis",op="get",result="error"\} 100\b/);
    expect(metrics).toMatch(/tcs_cache_operations_total\{backend="redis",op="set",result="error"\} 100\b/);

    await server.start();
    await waitFor(() => cache.health().up, 5_000, 'the cache to reconnect');
    await cache.set('after', 'restart', 60);
    expect(await cache.get('after')).toBe('restart');
    expect(lines.some((line) => line.level === 'info' && line.msg === 'Redis cache available again')).toBe(
      true,
    );
    console.log(`100 degraded get+set pairs took ${elapsedMs.toFixed(0)} ms`);
  });

  it('repeats the outage warning only at the configured interval while Redis stays down', async () => {
    const server = new RedisServer(await freePort());
    servers.push(server);
    await server.start();
    const { logger, lines } = capturingLogger();
    const cache = new RedisCache({
      url: server.url,
      logger,
      maxReconnectDelayMs: 50,
      outageLogIntervalMs: 300,
    });
    caches.push(cache);
    expect(await cache.waitUntilReady(5_000)).toBe(true);
    await server.stop();
    // About 20 reconnect attempts fail in this second; only a handful of lines may result.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.length).toBeLessThanOrEqual(5);
    expect(warnings.slice(1).every((line) => line.msg === 'Redis cache still unavailable')).toBe(true);
  });

  it('lets the bot start while Redis is down and connects once it appears', async () => {
    const server = new RedisServer(await freePort());
    servers.push(server);
    const { logger, lines } = capturingLogger();
    const cache = createCache({ redisUrl: server.url, logger });
    caches.push(cache);
    expect(cache.kind).toBe('redis');
    expect(cache.health().up).toBe(false);
    expect(await cache.get('anything')).toBeUndefined();
    await cache.set('anything', 1, 60);
    await waitFor(() => lines.some((line) => line.level === 'warn'), 3_000, 'the outage warning');
    expect(lines.find((line) => line.level === 'warn')).toMatchObject({
      component: 'cache',
      backend: 'redis',
    });

    await server.start();
    await waitFor(() => cache.health().up, 8_000, 'the cache to connect');
    await cache.set('k', 'v', 60);
    expect(await cache.get('k')).toBe('v');
    expect(lines.some((line) => line.msg === 'Redis cache connected')).toBe(true);
  });

  it('uses the memory cache when no Redis URL is configured', async () => {
    const { logger } = capturingLogger();
    const cache = createCache({ logger });
    caches.push(cache);
    expect(cache.kind).toBe('memory');
    expect(cache.health().up).toBe(true);
  });
});
