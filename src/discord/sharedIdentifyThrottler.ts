import { setTimeout as sleep } from 'node:timers/promises';
import { SimpleIdentifyThrottler, type WebSocketOptions } from 'discord.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Cache } from '../cache/Cache.js';
import { getOrCreateHistogram } from '../observability/metrics.js';

/**
 * Discord lets a bot IDENTIFY `max_concurrency` shards per 5 s, one per rate-limit key
 * `shard_id % max_concurrency`, counted over every process of the bot; one too soon is answered with an
 * invalid session and costs a session start. @discordjs/ws's own throttler spaces the shards of one process;
 * this one spaces them across processes through the shared cache: a key is taken by the process whose
 * counter increment creates it, and it expires on its own (Redis TTL), so a process that dies holding it
 * delays the others by one interval at most. Without Redis (one process) the memory cache gives the same
 * rule; while Redis is down each process falls back to the local throttler (a collision then costs a retry).
 */
export interface SharedIdentifyThrottlerOptions {
  cache: Pick<Cache, 'increment'>;
  /** The bot's application id: the limit is per bot, so other bots sharing the Redis never wait for it. */
  applicationId: string;
  logger: Logger;
  registry: Registry;
  /** How long a key stays taken. Discord's window is 5 s; the margin absorbs clock and transit differences. */
  holdSeconds?: number;
  /** How often a waiting shard asks again (jittered ×1–2). */
  retryMs?: number;
}

const DEFAULT_HOLD_SECONDS = 6;
const DEFAULT_RETRY_MS = 500;

/** For discord.js's `ws.buildIdentifyThrottler` client option. */
export function sharedIdentifyThrottler(
  options: SharedIdentifyThrottlerOptions,
): NonNullable<WebSocketOptions['buildIdentifyThrottler']> {
  const holdSeconds = options.holdSeconds ?? DEFAULT_HOLD_SECONDS;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  const logger = options.logger;
  const waitSeconds = getOrCreateHistogram(options.registry, {
    name: 'tcs_discord_identify_wait_seconds',
    help: 'Time a shard waited for its IDENTIFY slot (max_concurrency per 5 s, shared by every process)',
    labelNames: ['shard'],
    buckets: [0.01, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  });
  return async (manager) => {
    const info = await manager.fetchGatewayInformation();
    const maxConcurrency = Math.max(1, info.session_start_limit.max_concurrency);
    const local = new SimpleIdentifyThrottler(maxConcurrency);
    return {
      async waitForIdentify(shardId, signal) {
        const key = shardId % maxConcurrency;
        const started = Date.now();
        // Bounded by the signal (the shard closing or the client being destroyed) and by the keys expiring on
        // their own: with N shards per key, the last one waits about N × holdSeconds.
        for (let attempt = 0; ; attempt += 1) {
          signal.throwIfAborted();
          const taken = await options.cache.increment(
            `discord:identify:v1:${options.applicationId}:${key}`,
            1,
            holdSeconds,
          );
          if (taken === undefined) {
            logger.warn(
              { shard: shardId, rateLimitKey: key },
              'identify slot unknown (cache down); spacing locally',
            );
            return local.waitForIdentify(shardId, signal);
          }
          if (taken === 1) {
            waitSeconds.observe({ shard: String(shardId) }, (Date.now() - started) / 1000);
            if (attempt > 0) {
              logger.info(
                { shard: shardId, rateLimitKey: key, waitedMs: Date.now() - started },
                'identify slot taken after waiting for another shard',
              );
            }
            return;
          }
          if (attempt === 0) {
            logger.info(
              { shard: shardId, rateLimitKey: key, maxConcurrency },
              'waiting for the identify slot (another shard of this bot identified within the last 5 s)',
            );
          }
          await sleep(retryMs * (1 + Math.random()), undefined, { signal });
        }
      },
    };
  };
}
