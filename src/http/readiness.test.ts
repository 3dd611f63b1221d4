import { describe, expect, it } from 'vitest';
import { evaluateReadiness } from './readiness.js';

describe('evaluateReadiness', () => {
  it('is ready when every required check is up, whatever the optional ones say', async () => {
    const report = await evaluateReadiness({
      database: { required: true, check: () => ({ up: true }) },
      cache: { required: false, check: async () => ({ up: false, detail: 'redis reconnecting' }) },
    });
    expect(report).toEqual({
      status: 'ready',
      checks: {
        database: { status: 'up', required: true },
        cache: { status: 'down', detail: 'redis reconnecting', required: false },
      },
    });
  });

  it('is not ready when a required check is down, throws or hangs', async () => {
    let aborted = false;
    const started = Date.now();
    const report = await evaluateReadiness({
      database: {
        required: true,
        check: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      },
      discord: {
        required: true,
        timeoutMs: 100,
        check: (signal) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (aborted = true));
          }),
      },
      twitch: { required: true, check: () => ({ up: false, detail: 'token invalid' }) },
    });
    expect(report.status).toBe('not_ready');
    expect(report.checks).toEqual({
      database: {
        status: 'down',
        detail: 'check failed: connect ECONNREFUSED 127.0.0.1:5432',
        required: true,
      },
      discord: { status: 'down', detail: 'check timed out after 100 ms', required: true },
      twitch: { status: 'down', detail: 'token invalid', required: true },
    });
    expect(aborted).toBe(true);
    // Concurrent: the slow check does not add to the others.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('scrubs credentials out of check details', async () => {
    const report = await evaluateReadiness({
      database: {
        required: true,
        check: () => {
          throw new Error('password authentication failed for postgresql://bot:hunter2hunter2@db/tcs');
        },
      },
    });
    expect(report.checks.database!.detail).not.toContain('hunter2');
  });

  it('is ready with no checks at all', async () => {
    expect(await evaluateReadiness({})).toEqual({ status: 'ready', checks: {} });
  });
});

describe('evaluateReadiness with throw-style checks', () => {
  it('treats a check that resolves with nothing as up and one that throws as down', async () => {
    const report = await evaluateReadiness({
      database: { required: true, check: async () => undefined },
      discord: {
        required: true,
        check: async () => {
          throw new Error('gateway not ready');
        },
      },
    });
    expect(report).toEqual({
      status: 'not_ready',
      checks: {
        database: { status: 'up', required: true },
        discord: { status: 'down', detail: 'check failed: gateway not ready', required: true },
      },
    });
  });
});
