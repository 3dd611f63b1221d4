import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackgroundLoop, type BackgroundLoop } from './backgroundLoop.js';

const logger = pino({ level: 'silent' });

/** A loop with a 10 s idle delay whose iteration calls `during(iteration number, loop)`. */
function countingLoop(during: (run: number, loop: BackgroundLoop) => void): {
  loop: BackgroundLoop;
  runs(): number;
} {
  let runs = 0;
  const loop: BackgroundLoop = createBackgroundLoop({
    name: 'test',
    logger,
    idleDelayMs: 10_000,
    run: async () => {
      runs += 1;
      during(runs, loop);
      return 'idle';
    },
  });
  return { loop, runs: () => runs };
}

describe('createBackgroundLoop', () => {
  afterEach(() => vi.useRealTimers());

  it('runs again at once when woken during an iteration, instead of waiting out the idle delay', async () => {
    vi.useFakeTimers();
    const { loop, runs } = countingLoop((run, self) => {
      if (run === 1) self.wake();
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(runs()).toBe(3);
    await loop.stop();
  });

  it('runs at once when woken while idle, and not while backing off after an error', async () => {
    vi.useFakeTimers();
    let fail = false;
    const { loop, runs } = countingLoop(() => {
      if (fail) throw new Error('down');
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(1);
    fail = true;
    loop.wake();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(2);
    loop.wake();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(2);
    await loop.stop();
  });
});
