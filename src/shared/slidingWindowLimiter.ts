/**
 * At most `limit` calls started in any `windowMs` (a sliding log of start times). Unlike a fixed window,
 * no two windows can be combined into a double burst; unlike fixed spacing between calls, time lost to a
 * busy event loop is caught up (spacing of 1000/45 ms becomes 1000/45 ms plus the loop's lag each time).
 * Calls start in the order they were scheduled.
 */
export function createSlidingWindowLimiter(options: { limit: number; windowMs: number }): {
  schedule<T>(work: () => Promise<T>): Promise<T>;
} {
  const starts: number[] = [];
  const waiting: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const release = (): void => {
    timer = undefined;
    while (waiting.length > 0) {
      const now = Date.now();
      while (starts.length > 0 && starts[0]! <= now - options.windowMs) starts.shift();
      if (starts.length >= options.limit) {
        timer = setTimeout(release, starts[0]! + options.windowMs - now);
        return;
      }
      starts.push(now);
      waiting.shift()!();
    }
  };

  return {
    async schedule(work) {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (timer === undefined) release();
      });
      return work();
    },
  };
}
