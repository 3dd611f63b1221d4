import type { HelixLimiter } from '../../src/twitch/helixLimiter.js';

/**
 * Starts a call that holds one of the limiter's slots until released: with `maxConcurrent: 1`, every later
 * call waits in the queue. Resolves once the call is running.
 */
export async function occupyLimiter(limiter: HelixLimiter): Promise<{ release(): Promise<void> }> {
  let release = () => {};
  let started = () => {};
  const running = new Promise<void>((resolve) => (started = resolve));
  const busy = limiter.schedule('incremental', () => {
    started();
    return new Promise<void>((resolve) => (release = resolve));
  });
  await running;
  return {
    async release() {
      release();
      await busy;
    },
  };
}
