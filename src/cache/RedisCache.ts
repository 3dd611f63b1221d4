import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { foundationMetrics } from '../observability/metrics.js';
import { scrubSecrets } from '../observability/scrubSecrets.js';
import { withComponent } from '../observability/withComponent.js';
import type { Cache, CacheHealth } from './Cache.js';
import { assertTtl } from './assertTtl.js';

export interface RedisCacheOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Prepended to every key so several bots (or test files) can share one Redis. Default `tcs:`. */
  keyPrefix?: string;
  logger: Logger;
  registry?: Registry;
  /** A command that takes longer fails (and degrades) instead of stalling a Discord reply. Default 1000. */
  commandTimeoutMs?: number;
  /** Cap of the exponential reconnect backoff. Default 5000. */
  maxReconnectDelayMs?: number;
  /** While Redis stays down, repeat the outage warning at most this often. Default 60,000. */
  outageLogIntervalMs?: number;
}

type Op = 'get' | 'set' | 'delete' | 'deleteByPrefix' | 'increment';

/** Keys per SCAN page and per UNLINK call: bounds the work Redis does per round trip. */
const SCAN_BATCH = 500;

/**
 * The shared cache. Redis is optional infrastructure: when it is unreachable every read is a miss, every
 * write a no-op, nothing throws, and the bot keeps serving from PostgreSQL. Commands fail fast (no offline
 * queue, one retry, a command timeout) so an outage costs milliseconds, not a Discord interaction deadline.
 * The outage is logged once when it starts, then at most every `outageLogIntervalMs`, and once on recovery.
 */
export class RedisCache implements Cache {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #count: (op: Op, result: string) => void;
  readonly #time: (op: Op) => () => void;
  readonly #outageLogIntervalMs: number;
  #closed = false;
  #everConnected = false;
  #down = false;
  #downSince = 0;
  #lastError = 'not connected yet';
  #lastOutageLogAt = 0;
  #failuresSinceLog = 0;
  #failuresInOutage = 0;

  constructor(options: RedisCacheOptions) {
    this.#prefix = options.keyPrefix ?? 'tcs:';
    this.#log = withComponent(options.logger, 'cache').child({ backend: 'redis' });
    this.#outageLogIntervalMs = options.outageLogIntervalMs ?? 60_000;
    const metrics = options.registry ? foundationMetrics(options.registry) : undefined;
    this.#count = (op, result) => metrics?.cacheOperations.inc({ backend: 'redis', op, result });
    this.#time = (op) =>
      metrics?.cacheOperationDuration.startTimer({ backend: 'redis', op }) ?? (() => undefined);
    const maxDelay = options.maxReconnectDelayMs ?? 5_000;

    this.#redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      connectTimeout: 2_000,
      // Reconnect forever with exponential backoff and "equal jitter", so many bots do not reconnect in step.
      retryStrategy: (attempt) => {
        const ceiling = Math.min(maxDelay, 100 * 2 ** Math.min(attempt, 16));
        return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      },
    });
    // Without an 'error' listener ioredis would report every failed reconnect on stderr; with one, the
    // process never crashes on them and we decide what to log.
    this.#redis.on('error', (error: Error) => this.#markDown(error));
    this.#redis.on('close', () => this.#markDown(new Error('connection closed')));
    this.#redis.on('ready', () => {
      if (!this.#everConnected) {
        this.#everConnected = true;
        this.#log.info('Redis cache connected');
      }
      this.#markUp();
    });
  }

  /** Resolves true once connected, false after `timeoutMs`; the cache works (degraded) either way. */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.#redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      this.#redis.once('ready', onReady);
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = await this.#run('get', undefined, () => this.#redis.get(this.#prefix + key));
    if (text === undefined) return undefined;
    if (text === null) {
      this.#count('get', 'miss');
      return undefined;
    }
    try {
      const value = JSON.parse(text) as T;
      this.#count('get', 'hit');
      return value;
    } catch {
      // Someone else wrote a non-JSON value under our prefix; treat it as a miss rather than fail the caller.
      this.#count('get', 'miss');
      this.#log.warn({ key }, 'ignored a cached value that is not JSON');
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    const text = JSON.stringify(value);
    if (await this.#run('set', false, () => this.#redis.set(this.#prefix + key, text, 'EX', ttlSeconds))) {
      this.#count('set', 'ok');
    }
  }

  async delete(key: string): Promise<void> {
    if (await this.#run('delete', false, () => this.#redis.unlink(this.#prefix + key)))
      this.#count('delete', 'ok');
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    const pattern = `${escapeGlob(this.#prefix + prefix)}*`;
    const done = await this.#run('deleteByPrefix', false, async () => {
      let cursor = '0';
      do {
        const [next, keys] = await this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        // SCAN's COUNT is a hint; slice so a single UNLINK never exceeds the batch size.
        for (let start = 0; start < keys.length; start += SCAN_BATCH) {
          await this.#redis.unlink(...keys.slice(start, start + SCAN_BATCH));
        }
        cursor = next;
      } while (cursor !== '0');
      return true;
    });
    if (done) this.#count('deleteByPrefix', 'ok');
  }

  async increment(key: string, by: number, ttlSeconds: number): Promise<number | undefined> {
    assertTtl(ttlSeconds);
    const fullKey = this.#prefix + key;
    const results = await this.#run('increment', null, () =>
      // SET NX EX starts the window only when the counter is created; MULTI makes create+add atomic.
      this.#redis.multi().set(fullKey, '0', 'EX', ttlSeconds, 'NX').incrby(fullKey, by).exec(),
    );
    const [, added] = results?.[1] ?? [];
    const error = results?.[1]?.[0];
    if (error) {
      this.#count('increment', 'error');
      this.#log.warn({ key, err: error }, 'cache counter increment failed');
      return undefined;
    }
    if (typeof added !== 'number') return undefined;
    this.#count('increment', 'ok');
    return added;
  }

  health(): CacheHealth {
    if (this.#closed) return { up: false, detail: 'closed' };
    if (this.#down || this.#redis.status !== 'ready') {
      const since = this.#down ? ` since ${new Date(this.#downSince).toISOString()}` : '';
      return { up: false, detail: `redis ${this.#redis.status}${since}: ${this.#lastError}` };
    }
    return { up: true, detail: 'redis ready' };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#redis.status === 'ready') {
      await this.#redis.quit().catch(() => undefined);
    }
    // Stops reconnect attempts in every other state (connecting, reconnecting) and frees the socket.
    this.#redis.disconnect();
  }

  /** Runs one command; on failure records the outage and returns `fallback` instead of throwing. */
  async #run<T, F>(op: Op, fallback: F, command: () => Promise<T>): Promise<T | F> {
    if (this.#closed) return fallback;
    const stopTimer = this.#time(op);
    try {
      const result = await command();
      this.#markUp();
      return result;
    } catch (error) {
      this.#count(op, 'error');
      if (isReplyError(error)) {
        // Redis answered: the connection is fine, the command was wrong (e.g. WRONGTYPE). A bug, not an outage.
        this.#log.warn({ op, err: error }, 'cache command rejected by Redis');
      } else {
        this.#markDown(error as Error);
      }
      return fallback;
    } finally {
      stopTimer();
    }
  }

  #markDown(error: Error): void {
    if (this.#closed) return;
    this.#lastError = scrubSecrets(error.message || error.name);
    const now = Date.now();
    if (!this.#down) {
      this.#down = true;
      this.#downSince = now;
      this.#lastOutageLogAt = now;
      this.#failuresSinceLog = 0;
      this.#failuresInOutage = 0;
      this.#log.warn(
        { error: this.#lastError },
        'Redis cache unavailable: reads are misses and writes are skipped until it is back',
      );
      return;
    }
    this.#failuresSinceLog += 1;
    this.#failuresInOutage += 1;
    if (now - this.#lastOutageLogAt >= this.#outageLogIntervalMs) {
      this.#log.warn(
        {
          error: this.#lastError,
          downForMs: now - this.#downSince,
          failuresSinceLastLog: this.#failuresSinceLog,
        },
        'Redis cache still unavailable',
      );
      this.#lastOutageLogAt = now;
      this.#failuresSinceLog = 0;
    }
  }

  #markUp(): void {
    if (!this.#down || this.#redis.status !== 'ready') return;
    this.#down = false;
    this.#log.info(
      { downForMs: Date.now() - this.#downSince, failures: this.#failuresInOutage },
      'Redis cache available again',
    );
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}
