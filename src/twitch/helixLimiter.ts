import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';

/** Who is waiting for a Helix call; Bottleneck runs lower numbers first. */
export type HelixPriority = 'interactive' | 'incremental' | 'backfill';

const bottleneckPriority: Record<HelixPriority, number> = { interactive: 1, incremental: 4, backfill: 8 };

export interface HelixLimiterOptions {
  /** Helix points per minute this app may spend (Twitch's app-token bucket is typically 800). */
  budgetPerMinute: number;
  /** Calls that may run at once. */
  maxConcurrent?: number;
  /** When given, every process using the same `id` shares one budget through Redis. */
  redis?: Redis;
  /** Cluster key (processes with the same id share the budget). */
  id?: string;
  /** A call waiting longer than this (queue + request) fails with twitch.timeout. */
  timeoutMs?: number;
}

/** One token bucket in front of every Helix call, so sync can never spend more than the budget. */
export interface HelixLimiter {
  schedule<T>(priority: HelixPriority, work: () => Promise<T>): Promise<T>;
  /** Tokens left in the bucket right now (null when unknown). */
  remaining(): Promise<number | null>;
  /** Calls queued in this process. */
  queued(): number;
  readonly budgetPerMinute: number;
  stop(): Promise<void>;
}

export function createHelixLimiter(options: HelixLimiterOptions): HelixLimiter {
  // Refill every second with budget/60 tokens, up to a small burst: a token bucket like Twitch's own, but
  // smoothed, so a burst of backfill can never drain the minute's budget at once.
  const perSecond = Math.max(1, Math.floor(options.budgetPerMinute / 60));
  const burst = Math.max(perSecond, Math.floor(options.budgetPerMinute / 6));
  const common: Bottleneck.ConstructorOptions = {
    maxConcurrent: options.maxConcurrent ?? 8,
    reservoir: burst,
    reservoirIncreaseAmount: perSecond,
    reservoirIncreaseInterval: 1_000,
    reservoirIncreaseMaximum: burst,
    id: options.id ?? 'twitch-helix',
  };
  const limiter =
    options.redis === undefined
      ? new Bottleneck(common)
      : new Bottleneck({
          ...common,
          datastore: 'ioredis',
          // Keep the shared bucket when a process restarts; expire it if every process is gone.
          clearDatastore: false,
          timeout: 10 * 60_000,
          // A duplicate, because Bottleneck disconnects its connection on stop and the caller owns theirs.
          connection: new Bottleneck.IORedisConnection({ client: options.redis.duplicate() }),
        });
  // Bottleneck emits 'error' for datastore problems; without a listener they would be unhandled.
  limiter.on('error', () => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let stopping: Promise<void> | undefined;
  return {
    budgetPerMinute: options.budgetPerMinute,
    schedule: (priority, work) =>
      limiter.schedule({ priority: bottleneckPriority[priority], expiration: timeoutMs }, work),
    remaining: async () => {
      try {
        return await limiter.currentReservoir();
      } catch {
        return null;
      }
    },
    queued: () => limiter.queued(),
    stop: () => {
      stopping ??= (async () => {
        await limiter.stop({ dropWaitingJobs: true });
        if (options.redis !== undefined) await limiter.disconnect(false);
      })();
      return stopping;
    },
  };
}
