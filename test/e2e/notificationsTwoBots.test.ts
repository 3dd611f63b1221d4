// Two bot processes on the same PostgreSQL and Redis: both poll, fan out and deliver, and every clip is
// still posted exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifyWorld, type NotifyWorld } from './notifyE2e.js';

describe('two bot processes sharing one database', () => {
  let world: NotifyWorld;

  beforeAll(async () => {
    world = await startNotifyWorld();
    await Promise.all([world.startBot(), world.startBot()]);
  }, 120_000);
  afterAll(async () => world?.close());

  it('post every clip exactly once', { timeout: 90_000 }, async () => {
    const targets = await Promise.all(
      ['twoa', 'twob', 'twoc', 'twod'].map((login) => world.subscribe(login)),
    );
    const expected = world.addClips(targets, 60, { title: 'two', minutesAgo: 1 });
    await world.pollNow();
    await world.expectPostedOnce(expected, 60_000);
    // And the database agrees: every delivery is recorded as sent, none pending or dead-lettered.
    const { rows } = await world.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM deliveries GROUP BY status`,
    );
    expect(rows.map((row) => [row.status, Number(row.n)])).toEqual([['sent', 240]]);
  });
});
