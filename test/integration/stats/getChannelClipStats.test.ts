import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipRecord } from '../../../src/clips/ClipRecord.js';
import { upsertBroadcasters, upsertClips, upsertGames } from '../../../src/clips/clipStore.js';
import type { ChannelClipStats, ClipStatsPeriod } from '../../../src/clips/stats/ChannelClipStats.js';
import { buildClipStatsReply } from '../../../src/clips/stats/clipStatsReply.js';
import { getChannelClipStats } from '../../../src/clips/stats/getChannelClipStats.js';
import { renderClipStatsChart } from '../../../src/clips/stats/renderClipStatsChart.js';
import type { Database } from '../../../src/db/Database.js';
import { openTestDatabase } from '../../support/databases.js';

// A Wednesday afternoon: the day window starts at 16:00 the day before, the week on Thursday 29 October,
// the month (30 days) on 6 October, the year (52 ISO weeks) on Monday 10 November 2025.
const NOW = new Date('2026-11-04T15:30:00.000Z');
const CHANNEL = '3001';

function clip(
  id: string,
  createdAt: string,
  viewCount: number,
  [creatorId, creatorName]: [string, string],
  gameId: string | null,
  broadcasterId = CHANNEL,
): ClipRecord {
  return {
    id,
    broadcasterId,
    creatorId,
    creatorName,
    videoId: null,
    gameId,
    language: 'en',
    title: `clip ${id}`,
    viewCount,
    createdAt: new Date(createdAt),
    thumbnailUrl: `https://clips-media-assets2.twitch.tv/${id}-preview-480x272.jpg`,
    url: `https://clips.twitch.tv/${id}`,
    embedUrl: `https://clips.twitch.tv/embed?clip=${id}`,
    durationSec: 30,
    vodOffset: null,
    isFeatured: false,
  };
}

const alice: [string, string] = ['501', 'alice'];
const bob: [string, string] = ['502', 'bob'];
const carol: [string, string] = ['503', 'carol'];
const dave: [string, string] = ['504', 'dave'];
const eve: [string, string] = ['505', 'eve'];

const clips: ClipRecord[] = [
  clip('A', '2026-11-04T15:10:00Z', 100, alice, '32399'),
  clip('B', '2026-11-04T09:00:00Z', 50, bob, '32399'),
  clip('C', '2026-11-03T16:00:00Z', 30, alice, '509658'), // first instant of the day window
  clip('D', '2026-11-03T15:59:59Z', 20, carol, null), // just before it
  clip('E', '2026-10-29T00:00:00Z', 10, bob, '32399'), // first instant of the week window
  clip('F', '2026-10-28T23:59:59Z', 1000, ['501', 'alice_old'], '509658'), // alice's older name
  clip('G', '2026-10-06T00:00:00Z', 5, dave, '7193'), // first instant of the month window
  clip('H', '2026-10-05T12:00:00Z', 7, dave, '7193'),
  clip('I', '2025-11-09T12:00:00Z', 3, eve, '7193'), // the day before the year window
  clip('J', '2024-01-15T08:00:00Z', 1, eve, '999'), // a game missing from the games table
  clip('Z', '2025-06-01T00:00:00Z', 0, ['507', 'zed'], '7193'), // the sixth clipper of all time
  clip('Deleted', '2026-11-04T12:00:00Z', 5000, ['506', 'mallory'], '32399'),
  clip('OtherChannel', '2026-11-04T14:00:00Z', 777, alice, '32399', '3002'),
];

describe.each(['pglite', 'postgres'] as const)('getChannelClipStats on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const stats = (period: ClipStatsPeriod, broadcasterId = CHANNEL) =>
    getChannelClipStats({ db }, { broadcasterId, period, now: NOW });
  const nonEmptyBuckets = (result: ChannelClipStats) =>
    result.buckets
      .filter((bucket) => bucket.clips > 0)
      .map((bucket) => [bucket.start.toISOString(), bucket.clips, bucket.views]);

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
    await upsertBroadcasters(db.sql, [
      { id: '3001', login: 'statschannel', displayName: 'StatsChannel' },
      { id: '3002', login: 'otherchannel', displayName: 'OtherChannel' },
      { id: '3003', login: 'quietchannel', displayName: 'QuietChannel' },
    ]);
    await upsertGames(db.sql, [
      { id: '32399', name: 'Counter-Strike' },
      { id: '509658', name: 'Just Chatting' },
      { id: '7193', name: 'Pokémon Red/Blue' },
    ]);
    await upsertClips(db.sql, clips, NOW);
    await db.sql.query(`UPDATE clips SET deleted_at = $1::timestamptz WHERE id = 'Deleted'`, [NOW]);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('charts the last 24 hours by the hour, from the first instant of the window', async () => {
    const day = await stats('day');
    expect(day.unit).toBe('hour');
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets[0]!.start.toISOString()).toBe('2026-11-03T16:00:00.000Z');
    expect(day.buckets.at(-1)!.start.toISOString()).toBe('2026-11-04T15:00:00.000Z');
    expect(nonEmptyBuckets(day)).toEqual([
      ['2026-11-03T16:00:00.000Z', 1, 30],
      ['2026-11-04T09:00:00.000Z', 1, 50],
      ['2026-11-04T15:00:00.000Z', 1, 100],
    ]);
    expect(day.totals).toEqual({ clips: 3, views: 180, clippers: 2, games: 2 });
    expect(day.topClippers).toEqual([
      { creatorId: '501', creatorName: 'alice', clips: 2, views: 130 },
      { creatorId: '502', creatorName: 'bob', clips: 1, views: 50 },
    ]);
    expect(day.topGames).toEqual([
      { gameId: '32399', gameName: 'Counter-Strike', clips: 2, views: 150 },
      { gameId: '509658', gameName: 'Just Chatting', clips: 1, views: 30 },
    ]);
  });

  it('charts a week as seven UTC days including clips without a game', async () => {
    const week = await stats('week');
    expect(week.unit).toBe('day');
    expect(week.from?.toISOString()).toBe('2026-10-29T00:00:00.000Z');
    expect(week.buckets.map((bucket) => bucket.clips)).toEqual([1, 0, 0, 0, 0, 2, 2]);
    expect(week.buckets.map((bucket) => bucket.views)).toEqual([10, 0, 0, 0, 0, 50, 150]);
    expect(week.totals).toEqual({ clips: 5, views: 210, clippers: 3, games: 2 });
    expect(week.topClippers.map((c) => [c.creatorName, c.clips, c.views])).toEqual([
      ['alice', 2, 130],
      ['bob', 2, 60],
      ['carol', 1, 20],
    ]);
    expect(week.topGames.map((g) => [g.gameId, g.gameName, g.clips, g.views])).toEqual([
      ['32399', 'Counter-Strike', 3, 160],
      ['509658', 'Just Chatting', 1, 30],
      [null, null, 1, 20],
    ]);
  });

  it('charts a month as thirty days and names a clipper by their latest clip', async () => {
    const month = await stats('month');
    expect(month.unit).toBe('day');
    expect(month.buckets).toHaveLength(30);
    expect(month.from?.toISOString()).toBe('2026-10-06T00:00:00.000Z');
    expect(nonEmptyBuckets(month)).toEqual([
      ['2026-10-06T00:00:00.000Z', 1, 5],
      ['2026-10-28T00:00:00.000Z', 1, 1000],
      ['2026-10-29T00:00:00.000Z', 1, 10],
      ['2026-11-03T00:00:00.000Z', 2, 50],
      ['2026-11-04T00:00:00.000Z', 2, 150],
    ]);
    expect(month.totals).toEqual({ clips: 7, views: 1215, clippers: 4, games: 3 });
    expect(month.topClippers.map((c) => [c.creatorId, c.creatorName, c.clips, c.views])).toEqual([
      ['501', 'alice', 3, 1130],
      ['502', 'bob', 2, 60],
      ['503', 'carol', 1, 20],
      ['504', 'dave', 1, 5],
    ]);
    expect(month.topGames.map((g) => [g.gameId, g.clips, g.views])).toEqual([
      ['32399', 3, 160],
      ['509658', 2, 1030],
      [null, 1, 20],
      ['7193', 1, 5],
    ]);
  });

  it('charts a year as 52 ISO weeks', async () => {
    const year = await stats('year');
    expect(year.unit).toBe('week');
    expect(year.buckets).toHaveLength(52);
    expect(year.from?.toISOString()).toBe('2025-11-10T00:00:00.000Z');
    expect(nonEmptyBuckets(year)).toEqual([
      ['2026-10-05T00:00:00.000Z', 2, 12],
      ['2026-10-26T00:00:00.000Z', 2, 1010],
      ['2026-11-02T00:00:00.000Z', 4, 200],
    ]);
    // The clip of 1 June 2025 is before the window.
    expect(year.totals).toEqual({ clips: 8, views: 1222, clippers: 4, games: 3 });
  });

  it('charts all time by month from the first clip and keeps five clippers and games', async () => {
    const all = await stats('all');
    expect(all.unit).toBe('month');
    expect(all.from?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(all.buckets).toHaveLength(35);
    expect(all.buckets[0]).toEqual({ start: new Date('2024-01-01T00:00:00Z'), clips: 1, views: 1 });
    expect(all.totals).toEqual({ clips: 11, views: 1226, clippers: 6, games: 4 });
    expect(all.topClippers.map((c) => [c.creatorName, c.clips, c.views])).toEqual([
      ['alice', 3, 1130],
      ['bob', 2, 60],
      ['dave', 2, 12],
      ['eve', 2, 4],
      ['carol', 1, 20],
    ]);
    expect(all.topGames.map((g) => [g.gameId, g.gameName, g.clips, g.views])).toEqual([
      ['7193', 'Pokémon Red/Blue', 4, 15],
      ['32399', 'Counter-Strike', 3, 160],
      ['509658', 'Just Chatting', 2, 1030],
      [null, null, 1, 20],
      ['999', null, 1, 1],
    ]);
  });

  it('adds up the buckets to the totals for every period', async () => {
    for (const period of ['day', 'week', 'month', 'year', 'all'] as const) {
      const result = await stats(period);
      expect(result.buckets.reduce((sum, bucket) => sum + bucket.clips, 0)).toBe(result.totals.clips);
      expect(result.buckets.reduce((sum, bucket) => sum + bucket.views, 0)).toBe(result.totals.views);
    }
  });

  it('returns empty buckets and no lists for a channel without clips', async () => {
    const week = await stats('week', '3003');
    expect(week.buckets.map((bucket) => bucket.clips)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(week.totals).toEqual({ clips: 0, views: 0, clippers: 0, games: 0 });
    expect(week.topClippers).toEqual([]);
    expect(week.topGames).toEqual([]);
    const all = await stats('all', '3003');
    expect(all.from).toBeNull();
    expect(all.buckets).toEqual([]);
  });

  it('turns the stats into a reply whose PNG decodes to the size it claims', async () => {
    const month = await stats('month');
    const chart = await renderClipStatsChart(month, {
      channelName: 'StatsChannel',
      periodLabel: 'Last 30 days',
    });
    const image = PNG.sync.read(chart.png);
    expect({ width: image.width, height: image.height }).toEqual({
      width: chart.width,
      height: chart.height,
    });
    const reply = buildClipStatsReply(month, chart, {
      channelName: 'StatsChannel',
      periodLabel: 'Last 30 days',
    });
    expect(reply.files[0]!.attachment).toBe(chart.png);
    expect(reply.embeds[0]!.toJSON().description).toBe(
      '**7** clips · **1,215** views · **4** clippers · **3** games',
    );
  });

  it('rejects a malformed channel id or period with a readable error before querying', async () => {
    await expect(stats('week', "1' OR 1=1 --")).rejects.toThrow(/broadcasterId: must be a numeric Twitch id/);
    await expect(stats('fortnight' as ClipStatsPeriod)).rejects.toMatchObject({
      name: 'UserError',
      identifier: 'stats.invalidOptions',
    });
  });
});
