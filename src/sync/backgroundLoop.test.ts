import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBackgroundLoop } from './backgroundLoop.js';

const logger = pino({ level: 'silent' });

describe('createBackgroundLoop', () => {
  afterEach(() => vi.useRealTimers());

  it('runs again at once when woken during an iteration, instead of waiting out the idle delay', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let wakeDuringRun = true;
    const loop = createBackgroundLoop({
      name: 'test',
      logger,
      idleDelayMs: 10_000,
      run: async () => {
        runs += 1;
        if (runs === 1 && wakeDuringRun) loop.wake();
        return 'idle';
      },
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    wakeDuringRun = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(runs).toBe(3);
    await loop.stop();
  });

  it('runs at once when woken while idle, and not while backing off after an error', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let fail = false;
    const loop = createBackgroundLoop({
      name: 'test',
      logger,
      idleDelayMs: 10_000,
      run: async () => {
        runs += 1;
        if (fail) throw new Error('down');
        return 'idle';
      },
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    fail = true;
    loop.wake();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    loop.wake();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    await loop.stop();
  });
});
