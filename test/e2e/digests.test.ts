// A daily digest from the real bot process: clips of the previous local day are polled from the fake Twitch
// and stored by the sync while the subscription is paused; the bot is stopped, the subscription resumed, and
// the first digest pass after the restart posts the day's top clips once, in one message.
import { describe, expect, it } from 'vitest';
import { lastFinishedPeriod } from '../../src/notify/digests/digestPeriods.js';
import { eventually } from '../support/eventually.js';
import { withNotifyWorld } from './notifyE2e.js';

const SETTLE_MS = 10 * 60_000;

/** A zone where it is now well past the digest time and far from the next, so no midnight falls in the test. */
function zoneAwayFromMidnight(now: Date): string {
  const candidates = [
    'America/New_York',
    'Europe/Berlin',
    'Asia/Tokyo',
    'Australia/Lord_Howe',
    'Pacific/Kiritimati',
  ];
  const localHour = (zone: string) =>
    Number(
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(now),
    );
  return candidates.find((zone) => localHour(zone) >= 2 && localHour(zone) <= 21)!;
}

describe('digests from the running bot', () => {
  const setup = withNotifyWorld();

  it(
    "posts yesterday's top clips by views once after a restart, in the server's time zone",
    { timeout: 150_000 },
    async () => {
      const { world } = setup;
      let bot = setup.bot;
      const zone = zoneAwayFromMidnight(new Date());
      const yesterday = lastFinishedPeriod(new Date(Date.now() - SETTLE_MS), zone, 'daily');
      const guildId = world.discord.fixtures.guild.id;
      await world.pool.query(`UPDATE guilds SET timezone = $2 WHERE id = $1`, [guildId, zone]);
      // Paused, so no digest pass sees it before the sync has stored the day's clips.
      const { broadcasterId, channelId } = await world.subscribe('digested', {
        mode: 'daily',
        digestSize: 5,
        paused: true,
        since: new Date(yesterday.start.getTime() - 2 * 86_400_000),
      });
      const hour = (offset: number) => new Date(yesterday.start.getTime() + offset * 3_600_000).toISOString();
      const views = [40, 700, 90, 5, 300, 1_200, 60];
      const dayClips = views.map((viewCount, i) =>
        world.twitch.addClip({
          broadcasterId,
          title: `yesterday ${viewCount}`,
          viewCount,
          createdAt: hour(i + 1),
        }),
      );
      const outside = [
        world.twitch.addClip({
          broadcasterId,
          title: 'the day before',
          viewCount: 9_000,
          createdAt: hour(-1),
        }),
        world.twitch.addClip({
          broadcasterId,
          title: 'today',
          viewCount: 9_000,
          createdAt: new Date(yesterday.end.getTime() + 60_000).toISOString(),
        }),
      ];
      await world.pollNow();
      await world.waitForStoredClips([broadcasterId], dayClips.length + outside.length, 60_000);

      await bot.stop('SIGTERM');
      expect(bot.logs.some((line) => line.msg === 'Digest scheduler stopped')).toBe(true);
      await world.pool.query(`UPDATE subscriptions SET paused = false, paused_reason = NULL`);
      bot = await world.startBot();

      await eventually(
        async () => (world.discord.messagesIn(channelId).length > 0 ? true : undefined),
        60_000,
        'the digest posted',
      );
      // Room for a duplicate to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const messages = world.discord.messagesIn(channelId);
      expect(messages).toHaveLength(1);
      const titles = ((messages[0]!.embeds ?? []) as Array<{ title: string }>).map((embed) => embed.title);
      expect(titles).toEqual([
        'yesterday 1200',
        'yesterday 700',
        'yesterday 300',
        'yesterday 90',
        'yesterday 60',
      ]);
      expect(messages[0]!.content).toMatch(/^\*\*Daily digest\*\* · top 5 clips of \*\*digested\*\* on /);
      expect(world.postedClipIds(channelId)).not.toEqual(
        expect.arrayContaining(outside.map((clip) => clip.id)),
      );
      const { rows: runs } = await world.pool.query<{ status: string; period_start: Date }>(
        `SELECT status, period_start FROM digest_runs`,
      );
      expect(runs).toEqual([{ status: 'queued', period_start: yesterday.start }]);
      expect(bot.logs.some((line) => line.msg === 'Digest queued' && line.clips === 5)).toBe(true);
    },
  );
});
