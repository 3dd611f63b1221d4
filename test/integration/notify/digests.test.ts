// Daily and weekly digests on PostgreSQL: each period's top clips posted once whichever of two schedulers
// gets there first, the subscription's filters applied, and nothing for empty, paused or missed periods.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/Database.js';
import { createDatabase } from '../../../src/db/createDatabase.js';
import { createDigestScheduler, type DigestScheduler } from '../../../src/notify/digests/DigestScheduler.js';
import { claimDigestRuns, queueDigest, scheduleDigestRuns } from '../../../src/notify/digests/digestRuns.js';
import type { Notifier } from '../../../src/notify/Notifier.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import {
  deliveryRows,
  drainNotifier,
  ingestClips,
  makeClip,
  newNotifier,
  seedBroadcaster,
  seedGuild,
  seedSubscription,
  type SubscriptionSeed,
} from './notifyFixture.js';

// 10:00 in New York on Wednesday 2 December 2026; "yesterday" there is [05:00Z on the 1st, 05:00Z on the 2nd).
const NOW = new Date('2026-12-02T15:00:00Z');
const YESTERDAY = (hour: number) => new Date(Date.UTC(2026, 11, 1, 5 + hour));
const LONG_AGO = new Date('2026-11-01T00:00:00Z');

// PostgreSQL for the races between processes; the embedded PGlite (one process) runs the rest too.
describe.each(['postgres', 'pglite'] as const)('digests on %s', (kind) => {
  let db: Database;
  let otherProcessDb: Database;
  let cleanup: () => Promise<void>;
  let discord: FakeDiscord;
  let guildId: string;
  let notifier: Notifier;
  let schedulerA: DigestScheduler;
  let schedulerB: DigestScheduler;

  beforeAll(async () => {
    const opened = await openTestDatabase(kind, { poolSize: 4 });
    ({ db, cleanup } = opened);
    // A second pool on the same database stands for a second bot process (PGlite has one process only).
    otherProcessDb =
      opened.url === undefined
        ? db
        : await createDatabase({ databaseUrl: opened.url, poolSize: 4, logger: testLogger() });
    discord = await startFakeDiscord();
    guildId = discord.fixtures.guild.id;
    notifier = newNotifier(db.sql, discord);
    schedulerA = createDigestScheduler({ db, logger: testLogger() });
    schedulerB = createDigestScheduler({ db: otherProcessDb, logger: testLogger() });
  }, 60_000);
  afterAll(async () => {
    if (otherProcessDb !== db) await otherProcessDb?.close();
    await discord?.close();
    await cleanup?.();
  });
  beforeEach(async () => {
    await db.sql.exec(
      `TRUNCATE clip_events, deliveries, delivery_messages, digest_runs, subscriptions, clips, guilds, broadcasters CASCADE`,
    );
    await seedBroadcaster(db.sql, '1001', 'speedy');
    await seedGuild(db.sql, { id: guildId });
    await db.sql.query(`UPDATE guilds SET timezone = 'America/New_York' WHERE id = $1`, [guildId]);
  });

  const subscribe = async (seed: Partial<SubscriptionSeed> = {}) => {
    const channelId = discord.addChannel(guildId, {
      name: `digest-${Math.random().toString(36).slice(2, 8)}`,
    }).id;
    const id = await seedSubscription(db.sql, {
      guildId,
      channelId,
      mode: 'daily',
      digestSize: 3,
      postClipsSince: LONG_AGO,
      ...seed,
    });
    return { id, channelId };
  };
  const embedsIn = (channelId: string) =>
    discord.messagesIn(channelId).map((message) => ({
      content: message.content,
      titles: ((message.embeds ?? []) as Array<{ title: string }>).map((embed) => embed.title),
    }));
  const runs = () =>
    db.sql.query<{ subscription_id: string; status: string; period_start: Date; clips: number }>(
      `SELECT subscription_id::text AS subscription_id, status, period_start, clips FROM digest_runs ORDER BY id`,
    );
  const bothSchedulers = async (now: Date) => {
    for (let pass = 0; pass < 3; pass++)
      await Promise.all([schedulerA.runOnce(now), schedulerB.runOnce(now)]);
  };

  // Two processes share a database only on PostgreSQL (the embedded database belongs to one process), so
  // the races exist, and are tested, there alone.
  const racing = (name: string, test: () => Promise<void>) => {
    if (kind === 'postgres') it(name, test);
  };

  racing(
    "posts yesterday's top clips by views once, with two schedulers racing, and never again",
    async () => {
      const targets = await Promise.all(Array.from({ length: 6 }, () => subscribe()));
      await ingestClips(db.sql, [
        ...[10, 60, 30, 50, 20, 40].map((views, i) =>
          makeClip({ title: `views ${views}`, viewCount: views, createdAt: YESTERDAY(i + 1) }),
        ),
        // Outside the local day: the last second before it and its end; a deleted clip inside it.
        makeClip({ title: 'the day before', viewCount: 1_000, createdAt: new Date('2026-12-01T04:59:59Z') }),
        makeClip({ title: 'today', viewCount: 1_000, createdAt: new Date('2026-12-02T05:00:00Z') }),
        makeClip({ title: 'deleted', viewCount: 999, createdAt: YESTERDAY(3) }),
      ]);
      await db.sql.query(`UPDATE clips SET deleted_at = now() WHERE title = 'deleted'`);

      await bothSchedulers(NOW);
      await drainNotifier(db.sql, notifier);

      for (const { channelId } of targets) {
        const posts = embedsIn(channelId);
        expect(posts).toHaveLength(1);
        expect(posts[0]!.titles).toEqual(['views 60', 'views 50', 'views 40']);
        expect(posts[0]!.content).toBe(
          '**Daily digest** · top 3 clips of **speedy** on Tuesday, 1 December 2026',
        );
      }
      const written = await runs();
      expect(written).toHaveLength(6);
      expect(written.every((run) => run.status === 'queued' && run.clips === 3)).toBe(true);
      expect(written[0]!.period_start.toISOString()).toBe('2026-12-01T05:00:00.000Z');
      // The digest subscriptions got no per-clip deliveries from the fan-out: only the 3 x 6 digest ones.
      expect((await deliveryRows(db.sql)).filter((row) => row.status === 'sent')).toHaveLength(18);

      // Later passes the same day find the period done.
      await bothSchedulers(new Date(NOW.getTime() + 3 * 3_600_000));
      await drainNotifier(db.sql, notifier);
      expect(await runs()).toHaveLength(6);
      for (const { channelId } of targets) expect(discord.messagesIn(channelId)).toHaveLength(1);
    },
  );

  racing(
    'a run claimed by a process that died is queued by another once, and the late one is fenced off',
    async () => {
      const { channelId } = await subscribe();
      await ingestClips(db.sql, [makeClip({ viewCount: 7, createdAt: YESTERDAY(2) })]);
      await schedulerA.runOnce(new Date(0)); // Writes nothing: no period of 1970 is after post_clips_since.
      expect(await runs()).toHaveLength(0);

      // Process A writes the run and claims it, then stalls past its lease.
      await scheduleDigestRuns(db.sql, { now: NOW, settleMs: 600_000 });
      const [stalled] = await claimDigestRuns(db.sql, { now: NOW, limit: 10, leaseMs: 60_000 });
      expect(stalled).toBeDefined();
      // Within the lease, process B finds nothing to claim.
      expect(await claimDigestRuns(otherProcessDb.sql, { now: NOW, limit: 10, leaseMs: 60_000 })).toEqual([]);
      // After it, B claims the run; A wakes up and tries to queue it with its expired claim: fenced off.
      const later = new Date(NOW.getTime() + 61_000);
      const [taken] = await claimDigestRuns(otherProcessDb.sql, { now: later, limit: 10, leaseMs: 60_000 });
      const options = { now: later, maxAttempts: 5, pageSize: 200, untitledTwinWindowMs: 12 * 3_600_000 };
      expect(await queueDigest(db.sql, stalled!, options)).toEqual({ outcome: 'lost-lease' });
      expect(await queueDigest(otherProcessDb.sql, taken!, options)).toMatchObject({
        outcome: 'queued',
        clips: 1,
      });
      expect(await queueDigest(db.sql, stalled!, options)).toEqual({ outcome: 'lost-lease' });

      await drainNotifier(db.sql, notifier);
      expect(discord.messagesIn(channelId)).toHaveLength(1);
      const [run] = await db.sql.query<{ status: string; attempts: number }>(
        `SELECT status, attempts FROM digest_runs`,
      );
      expect(run).toEqual({ status: 'queued', attempts: 2 });
    },
  );

  it("applies the subscription's filters and skips clips made before it or already posted to it", async () => {
    const { id, channelId } = await subscribe({
      digestSize: 2,
      minViews: 20,
      keywords: ['clutch'],
      excludedWords: ['fail'],
      gameId: '33',
      skipUntitled: true,
      postClipsSince: YESTERDAY(2),
    });
    const clip = (title: string, viewCount: number, hour: number, gameId: string | null = '33') =>
      makeClip({ title, viewCount, gameId, createdAt: YESTERDAY(hour) });
    const matching = [clip('clutch one', 25, 4), clip('CLUTCH two', 30, 5), clip('clutch three', 21, 6)];
    const alreadyPosted = clip('clutch posted', 90, 7);
    await ingestClips(db.sql, [
      ...matching,
      alreadyPosted,
      clip('clutch before the subscription', 500, 1),
      clip('clutch too few views', 19, 8),
      clip('no keyword', 400, 8),
      clip('clutch fail', 400, 8),
      clip('clutch other game', 400, 8, '44'),
      // Two clips with the stream's title: taken for untitled.
      clip('clutch stream title', 300, 9),
      clip('clutch stream title', 301, 10),
      // Many non-matching popular clips, so the top ones are found across several pages.
      ...Array.from({ length: 30 }, (_, i) => clip(`filler ${i}`, 1_000 + i, 11)),
    ]);
    await db.sql.query(
      `INSERT INTO deliveries (subscription_id, clip_id, status) VALUES ($1::uuid, $2, 'sent')`,
      [id, alreadyPosted.id],
    );
    const paged = createDigestScheduler({ db, logger: testLogger(), options: { pageSize: 4 } });
    await paged.runOnce(NOW);
    await drainNotifier(db.sql, notifier);
    expect(embedsIn(channelId).map((post) => post.titles)).toEqual([['CLUTCH two', 'clutch one']]);
  });

  it('posts nothing for an empty period, a paused subscription or one whose mode changed', async () => {
    const empty = await subscribe();
    const paused = await subscribe({ paused: true });
    const switched = await subscribe();
    // A clip of another broadcaster does not fill the first subscription's digest.
    await seedBroadcaster(db.sql, '2002', 'other');
    await ingestClips(db.sql, [makeClip({ broadcasterId: '2002', viewCount: 50, createdAt: YESTERDAY(2) })]);

    await scheduleDigestRuns(db.sql, { now: NOW, settleMs: 600_000 });
    await db.sql.query(`UPDATE subscriptions SET mode = 'every' WHERE id = $1::uuid`, [switched.id]);
    await schedulerA.runOnce(NOW);
    await drainNotifier(db.sql, notifier);

    const byId = new Map((await runs()).map((run) => [run.subscription_id, run.status]));
    expect(byId).toEqual(
      new Map([
        [empty.id, 'empty'],
        [switched.id, 'skipped'],
      ]),
    );
    for (const { channelId } of [empty, paused, switched])
      expect(discord.messagesIn(channelId)).toHaveLength(0);
  });

  it('after downtime posts only the most recent missed period of each subscription', async () => {
    const daily = await subscribe();
    const weekly = await subscribe({ mode: 'weekly' });
    // 1 to 4 December in New York, the most viewed on the 1st; the bot comes back on Saturday the 5th.
    const clips = [1, 2, 3, 4].map((day) =>
      makeClip({
        title: `day ${day}`,
        viewCount: 100 - day,
        createdAt: new Date(Date.UTC(2026, 11, day, 17)),
      }),
    );
    const lastWeek = makeClip({
      title: 'last week',
      viewCount: 5,
      createdAt: new Date('2026-11-25T17:00:00Z'),
    });
    await ingestClips(db.sql, [...clips, lastWeek]);

    await schedulerA.runOnce(new Date('2026-12-05T15:00:00Z'));
    await drainNotifier(db.sql, notifier);

    expect(embedsIn(daily.channelId).map((post) => post.titles)).toEqual([['day 4']]);
    // The week of Monday 23 November ended on the 30th; the current week is not over.
    expect(embedsIn(weekly.channelId).map((post) => post.titles)).toEqual([['last week']]);
    expect(embedsIn(weekly.channelId)[0]!.content).toBe(
      '**Weekly digest** · top clip of **speedy** in the week from Monday, 23 November 2026',
    );
    expect(await runs()).toHaveLength(2);
  });

  it('prunes finished runs after their retention, in bounded batches, and never lets a period come back', async () => {
    const { id, channelId } = await subscribe();
    await ingestClips(db.sql, [makeClip({ title: 'posted', viewCount: 9, createdAt: YESTERDAY(2) })]);
    await schedulerA.runOnce(NOW);
    await drainNotifier(db.sql, notifier);
    expect(embedsIn(channelId)).toHaveLength(1);
    // Old finished runs of every outcome, and an old run still pending (held by another process) that stays.
    const insertRun = (periodStart: Date, status: string) =>
      db.sql.query(
        `INSERT INTO digest_runs (subscription_id, mode, timezone, period_start, period_end, status, lease_until)
         VALUES ($1::uuid, 'daily', 'America/New_York', $2::timestamptz, $2::timestamptz + interval '1 day', $3,
                 CASE WHEN $3 = 'pending' THEN '2030-01-01'::timestamptz END)`,
        [id, periodStart, status],
      );
    const day = (n: number) => new Date(Date.UTC(2026, 9, n, 4));
    for (const [n, status] of [
      [1, 'queued'],
      [2, 'empty'],
      [3, 'skipped'],
      [4, 'failed'],
      [5, 'pending'],
    ] as const)
      await insertRun(day(n), status);
    const pruning = createDigestScheduler({ db, logger: testLogger(), options: { pruneBatchSize: 3 } });

    // On 12 November the retention (35 days) reaches back to 8 October: every October run ended before.
    const later = new Date('2026-11-12T15:00:00Z');
    expect((await pruning.runOnce(later)).pruned).toBe(3);
    expect((await pruning.runOnce(later)).pruned).toBe(1);
    expect((await pruning.runOnce(later)).pruned).toBe(0);
    const left = await runs();
    const october = left.filter((run) => run.period_start < new Date('2026-11-01T00:00:00Z'));
    expect(october.map((run) => run.status)).toEqual(['pending']);
    // Yesterday's run (within the retention) is kept, so its period is not written or posted again.
    expect(left.map((run) => run.period_start.toISOString())).toContain('2026-12-01T05:00:00.000Z');
    await pruning.runOnce(NOW);
    await drainNotifier(db.sql, notifier);
    expect(embedsIn(channelId)).toHaveLength(1);
  });
});
