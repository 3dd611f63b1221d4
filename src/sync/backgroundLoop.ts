import type { Logger } from '../observability/logger.js';

export interface BackgroundLoop {
  start(): void;
  /** Stops scheduling and waits for the running iteration to finish. */
  stop(): Promise<void>;
  /**
   * Runs the next iteration now instead of after the idle delay; woken while an iteration runs, the loop
   * runs again as soon as it ends (the work that woke it may have come too late for it). No effect while
   * backing off after an error.
   */
  wake(): void;
}

/**
 * Runs `run` repeatedly: again at once while it reports 'busy' (a full batch), after `idleDelayMs` (±20%
 * jitter) when idle, and with exponential backoff plus jitter after errors, so a dead dependency is not
 * hammered and several processes do not fall into lock-step.
 */
export function createBackgroundLoop(options: {
  name: string;
  logger: Logger;
  idleDelayMs: number;
  maxBackoffMs?: number;
  run: () => Promise<'busy' | 'idle'>;
}): BackgroundLoop {
  const log = options.logger.child({ loop: options.name });
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let failures = 0;

  let idle = false;
  let wokenWhileRunning = false;
  const schedule = (delayMs: number) => {
    if (!running) return;
    timer = setTimeout(() => {
      idle = false;
      timer = undefined;
      current = iterate();
    }, delayMs);
  };

  const iterate = async () => {
    wokenWhileRunning = false;
    try {
      const result = await options.run();
      if (failures > 0) log.info({ failures }, 'Loop recovered');
      failures = 0;
      const again = result === 'busy' || wokenWhileRunning;
      idle = !again;
      schedule(again ? 0 : options.idleDelayMs * (0.8 + 0.4 * Math.random()));
    } catch (error) {
      failures += 1;
      const ceiling = Math.min(maxBackoffMs, options.idleDelayMs * 2 ** Math.min(failures, 10));
      const delay = ceiling / 2 + (ceiling / 2) * Math.random();
      log.warn({ err: error, failures, retryInMs: Math.round(delay) }, 'Loop iteration failed');
      schedule(delay);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      log.debug('Loop started');
      schedule(0);
    },
    wake() {
      if (!running) return;
      if (timer === undefined) {
        wokenWhileRunning = true;
        return;
      }
      if (!idle) return;
      clearTimeout(timer);
      timer = undefined;
      idle = false;
      current = iterate();
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await current;
      log.debug('Loop stopped');
    },
  };
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
