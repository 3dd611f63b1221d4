import { afterEach, describe, expect, it } from 'vitest';
import { occupyLimiter } from '../../test/support/occupyLimiter.js';
import { createHelixLimiter, type HelixLimiter } from './helixLimiter.js';

const limiters: HelixLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.stop()));
});

function limiter(options: Parameters<typeof createHelixLimiter>[0]): HelixLimiter {
  const created = createHelixLimiter(options);
  limiters.push(created);
  return created;
}

describe('the Helix limiter', () => {
  it('drops a queued call whose caller gave up: the caller is released at once and no request is made', async () => {
    const helix = limiter({ budgetPerMinute: 6_000, maxConcurrent: 1 });
    const slot = await occupyLimiter(helix);
    const controller = new AbortController();
    let ran = false;
    const queued = helix.schedule(
      'interactive',
      async () => {
        ran = true;
      },
      controller.signal,
    );
    controller.abort(new Error('autocomplete timed out'));
    await expect(queued).rejects.toThrow('autocomplete timed out');
    await slot.release();
    // Let the queue move on past the abandoned job.
    await helix.schedule('incremental', async () => undefined);
    expect(ran).toBe(false);
  });

  it('keeps a flood of interactive calls to their share, so polling still gets the budget', async () => {
    // 600 points a minute: a burst of 100, of which interactive calls may take a tenth.
    const helix = limiter({ budgetPerMinute: 600, maxConcurrent: 50, interactiveShare: 0.1 });
    const order: string[] = [];
    const calls = [
      ...Array.from({ length: 60 }, () =>
        helix.schedule('interactive', async () => void order.push('interactive')).catch(() => undefined),
      ),
      ...Array.from({ length: 20 }, () => helix.schedule('incremental', async () => void order.push('poll'))),
    ];
    await Promise.all(calls.slice(60));
    // Every poll ran within the first burst; interactive calls got only their share of it.
    expect(order.filter((kind) => kind === 'poll')).toHaveLength(20);
    expect(order.filter((kind) => kind === 'interactive').length).toBeLessThanOrEqual(12);
    await helix.stop();
    await Promise.all(calls);
  });
});
