import { describe, expect, it } from 'vitest';
import {
  basePollIntervalMs,
  budgetStretch,
  defaultPollScheduleOptions as options,
  errorBackoffMs,
  nextPollDelayMs,
  requiredCallsPerMinute,
  updateClipRate,
} from './pollSchedule.js';

const now = new Date('2024-01-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('poll schedule', () => {
  it('polls every live channel at the live interval and only busy ones more often', () => {
    expect(basePollIntervalMs({ isLive: true, lastLiveAt: now, clipRatePerHour: 0 }, now, options)).toBe(
      60_000,
    );
    expect(basePollIntervalMs({ isLive: true, lastLiveAt: now, clipRatePerHour: 50 }, now, options)).toBe(
      60_000,
    );
    expect(basePollIntervalMs({ isLive: true, lastLiveAt: now, clipRatePerHour: 500 }, now, options)).toBe(
      20_000,
    );
  });

  it('tapers a recently live channel from the live to the offline interval', () => {
    const justEnded = basePollIntervalMs(
      { isLive: false, lastLiveAt: now, clipRatePerHour: 0 },
      now,
      options,
    );
    const hourAgo = basePollIntervalMs(
      { isLive: false, lastLiveAt: minutesAgo(60), clipRatePerHour: 0 },
      now,
      options,
    );
    const longAgo = basePollIntervalMs(
      { isLive: false, lastLiveAt: minutesAgo(600), clipRatePerHour: 0 },
      now,
      options,
    );
    expect(justEnded).toBe(options.liveIntervalMs);
    expect(hourAgo).toBeGreaterThan(justEnded);
    expect(hourAgo).toBeLessThan(longAgo);
    expect(longAgo).toBe(options.offlineIntervalMs);
  });

  it('polls a never-live channel at the offline interval', () => {
    expect(basePollIntervalMs({ isLive: false, lastLiveAt: null, clipRatePerHour: 0 }, now, options)).toBe(
      options.offlineIntervalMs,
    );
  });

  it('does not stretch when the population fits the budget', () => {
    expect(budgetStretch({ live: 100, recentlyLive: 50, offline: 1000 }, options)).toBe(1);
  });

  it('stretches every interval evenly when the population needs more calls than the budget', () => {
    const counts = { live: 1000, recentlyLive: 500, offline: 10_000 };
    const required = requiredCallsPerMinute(counts, options);
    const stretch = budgetStretch(counts, options);
    expect(stretch).toBeCloseTo(required / options.budgetPerMinute);
    expect(required / stretch).toBeCloseTo(options.budgetPerMinute);
  });

  it('adds at most ±10% jitter to the stretched interval', () => {
    const state = { isLive: true, lastLiveAt: now, clipRatePerHour: 6 };
    expect(nextPollDelayMs(state, now, 2, options, () => 0)).toBe(108_000);
    expect(nextPollDelayMs(state, now, 2, options, () => 1)).toBe(132_000);
  });

  it('moves the clip rate towards what a long poll observed', () => {
    expect(updateClipRate(0, 10, 3_600_000)).toBeCloseTo(10 * (1 - Math.exp(-2)));
    expect(updateClipRate(5, 0, 0)).toBe(5);
  });

  it('backs off exponentially with jitter and a ceiling', () => {
    expect(errorBackoffMs(1, () => 0)).toBe(5_000);
    expect(errorBackoffMs(1, () => 1)).toBe(10_000);
    expect(errorBackoffMs(50, () => 1)).toBe(30 * 60_000);
  });
});
