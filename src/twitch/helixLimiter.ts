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
  /**
   * Fraction of the budget interactive calls (autocomplete, commands) may use, default 0.25. They run first,
   * so without a cap a flood of keystrokes would starve polling; within it they still jump the queue.
   */
  interactiveShare?: number;
  /** Interactive calls waiting for their share beyond this many: the oldest are dropped (stale keystrokes). */
  interactiveQueueLimit?: number;
}

/** One token bucket in front of every Helix call, so sync can never spend more than the budget. */
export interface HelixLimiter {
  /**
   * Runs `work` when the budget allows. When `signal` aborts, the promise rejects at once with its reason
   * and, if the call is still waiting, `work` never runs (no Helix request is spent on a caller that left).
   */
  schedule<T>(priority: HelixPriority, work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
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
  // Always present: the whole budget in this process. Used alone without Redis, and as the fallback while
  // Redis is unreachable (the bot keeps working; several processes may then overspend, and twurple's own
  // limiter honours Twitch's Ratelimit headers).
  const local = new Bottleneck(common);
  local.on('error', () => undefined);
  const redisClient = options.redis?.duplicate();
  const connection =
    redisClient === undefined ? undefined : new Bottleneck.IORedisConnection({ client: redisClient });
  const clustered =
    connection === undefined
      ? undefined
      : new Bottleneck({
          ...common,
          datastore: 'ioredis',
          // Keep the shared bucket when a process restarts; expire it if every process is gone.
          clearDatastore: false,
          timeout: 10 * 60_000,
          // A duplicate, because Bottleneck disconnects its connection on stop and the caller owns theirs.
          connection,
        });
  // Bottleneck emits 'error' for datastore problems; without a listener they would be unhandled.
  clustered?.on('error', () => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  // Interactive calls pass this local gate (their share of the budget) before they queue for the budget.
  const share = Math.min(1, Math.max(0, options.interactiveShare ?? 0.25));
  const interactivePerSecond = Math.max(1, Math.floor((options.budgetPerMinute * share) / 60));
  const interactiveBurst = Math.max(interactivePerSecond, Math.floor((options.budgetPerMinute * share) / 6));
  const interactive = new Bottleneck({
    maxConcurrent: 4,
    reservoir: interactiveBurst,
    reservoirIncreaseAmount: interactivePerSecond,
    reservoirIncreaseInterval: 1_000,
    reservoirIncreaseMaximum: interactiveBurst,
    highWater: options.interactiveQueueLimit ?? 50,
    strategy: Bottleneck.strategy.LEAK,
    id: `${common.id}-interactive`,
  });
  interactive.on('error', () => undefined);
  let stopping: Promise<void> | undefined;
  // Until Redis first answers, wait for it briefly rather than start on the local budget; afterwards any
  // non-ready state (reconnecting, closed) means Redis is down and the local budget takes over.
  let redisSeenReady = false;
  const firstConnect =
    redisClient === undefined
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2_000);
          timer.unref();
          const settle = () => {
            clearTimeout(timer);
            resolve();
          };
          redisClient.once('ready', () => {
            redisSeenReady = true;
            settle();
          });
          // A refused connection shows up as 'reconnecting'/'end': no point waiting for it.
          redisClient.once('reconnecting', settle);
          redisClient.once('end', settle);
        });
  const current = async (): Promise<Bottleneck> => {
    if (clustered === undefined || redisClient === undefined) return local;
    if (!redisSeenReady) await firstConnect;
    return redisClient.status === 'ready' ? clustered : local;
  };

  return {
    budgetPerMinute: options.budgetPerMinute,
    schedule: async (priority, work, signal) => {
      signal?.throwIfAborted();
      // Checked again when the job's turn comes: a caller that gave up meanwhile costs no request.
      const unlessAbandoned = () => (signal?.aborted ? Promise.reject(signal.reason) : work());
      const toBudget = async () => {
        const limiter = await current();
        const job = limiter.schedule(
          { priority: bottleneckPriority[priority], expiration: timeoutMs },
          unlessAbandoned,
        );
        if (limiter === local) return job;
        // A clustered job can wait on Redis forever if it dies mid-call: bound the wait.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(Object.assign(new Error('Helix limiter timed out'), { name: 'BottleneckError' })),
            timeoutMs,
          );
        });
        return Promise.race([job, timeout]).finally(() => clearTimeout(timer));
      };
      const job =
        priority === 'interactive'
          ? interactive.schedule({ expiration: timeoutMs }, () =>
              signal?.aborted ? Promise.reject(signal.reason) : toBudget(),
            )
          : toBudget();
      return signal === undefined ? job : abandonOnAbort(job, signal);
    },
    remaining: async () => {
      try {
        return await (await current()).currentReservoir();
      } catch {
        return null;
      }
    },
    queued: () => local.queued() + interactive.queued() + (clustered?.queued() ?? 0),
    stop: () => {
      stopping ??= (async () => {
        // Bottleneck's stop drops the waiting jobs at once but resolves only when the running ones finish,
        // and a running Helix request may hang until its own timeout: don't hold shutdown for it (its caller
        // has been released by its AbortSignal; the request dies with the process).
        await Promise.all([
          settleWithin(interactive.stop({ dropWaitingJobs: true }), 500),
          settleWithin(local.stop({ dropWaitingJobs: true }), 500),
        ]);
        if (clustered !== undefined) {
          // Bottleneck waits for Redis to stop cleanly too; don't hang shutdown when Redis is gone.
          await settleWithin(clustered.stop({ dropWaitingJobs: true }), 2_000);
          // Close the connection (our duplicate and the subscriber Bottleneck made from it) rather than
          // the limiter: the limiter's own disconnect unsubscribes without awaiting the replies, which
          // rejects unhandled when Redis is down.
          try {
            await connection?.disconnect(false);
          } catch {
            // Already disconnected.
          }
        }
      })();
      return stopping;
    },
  };
}

/** Settles with `job`, or rejects with the signal's reason as soon as it aborts (the job is left to settle). */
function abandonOnAbort<T>(job: Promise<T>, signal: AbortSignal): Promise<T> {
  job.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    job.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits for `promise` (ignoring its outcome) at most `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
