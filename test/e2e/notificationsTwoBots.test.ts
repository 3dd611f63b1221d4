// Two bot processes on the same PostgreSQL and Redis: both poll, fan out and deliver, and every clip is
// still posted exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
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
    const expected = new Map<string, string[]>();
    for (const { broadcasterId, channelId } of targets) {
      const clips = Array.from({ length: 60 }, (_, i) =>
        world.twitch.addClip({
          broadcasterId,
          title: `two ${i}`,
          viewCount: 10 + i,
          createdAt: new Date(Date.now() - 60_000).toISOString(),
        }),
      );
      expected.set(
        channelId,
        clips.map((clip) => clip.id),
      );
    }
    await world.pollNow();
    await eventually(
      async () =>
        targets.every(
          ({ channelId }) => world.postedClipIds(channelId).length >= expected.get(channelId)!.length,
        )
          ? true
          : undefined,
      60_000,
      'every clip posted',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const { channelId } of targets) {
      const posted = world.postedClipIds(channelId);
      expect(posted.length, `posts in ${channelId}`).toBe(expected.get(channelId)!.length);
      expect(new Set(posted)).toEqual(new Set(expected.get(channelId)));
    }
    // And the database agrees: every delivery is recorded as sent, none pending or dead-lettered.
    const [row] = (
      await world.pool.query<{ n: string }>(`SELECT count(*) AS n FROM deliveries WHERE status = 'sent'`)
    ).rows;
    expect(Number(row!.n)).toBe(240);
  });
});
