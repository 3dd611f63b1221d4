// npm run bench:sync [-- --channels 10000 --minutes 30 --warmup 10 --budget 800]
//
// Simulation on the fake Twitch with a controllable clock: N tracked channels, 10% live with heavy-tailed
// clip rates, 15% of clips appearing late in Get Clips, a little live/offline churn. Two pollers run in
// the same process on the same data and the same budget:
//   - ours: ClipSync (adaptive schedule, Get Streams live checks, overlapping windows, full paging);
//   - fixed: one Get Clips call per channel per interval, window = interval, first=20 (what common bots do),
//     the interval being the shortest the budget allows for N channels.
// Simulated time advances in ticks; each poller may spend only what a simulated-time token bucket of
// `budget` points per minute holds (a call made with the bucket empty is counted as a Twitch 429). The
// fake's own rate limiter runs on real time, so it is raised out of the way and its 429s are reported too.
import { Registry } from 'prom-client';
import type { ClipRecord } from '../src/clips/ClipRecord.js';
import { upsertBroadcasters } from '../src/clips/clipStore.js';
import { createClipSync } from '../src/sync/ClipSync.js';
import { createHelixLimiter } from '../src/twitch/helixLimiter.js';
import { createTwitchAdapter } from '../src/twitch/TwitchAdapter.js';
import type { TwitchAdapter } from '../src/twitch/twitchTypes.js';
import { seededRandom } from '../test/fakes/twitch/clipGenerator.js';
import { startFakeTwitch } from '../test/fakes/twitch/index.js';
import { openTestDatabase, testLogger } from '../test/support/databases.js';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const CHANNELS = arg('channels', 10_000);
const MINUTES = arg('minutes', 30);
const WARMUP_MINUTES = Math.min(arg('warmup', 10), MINUTES - 1);
const BUDGET = arg('budget', 800);
const TICK_MS = 2_000;
const LIVE_SHARE = 0.1;
const T0 = Date.parse('2024-06-01T12:00:00Z');
const random = seededRandom(42);

/** Twitch's bucket in simulated time: `perMinute` capacity, refilled continuously. */
class SimBucket {
  private tokens: number;
  private updatedAt = T0;
  rejected = 0;
  calls: number[] = [];
  constructor(private readonly perMinute: number) {
    this.tokens = perMinute;
  }
  available(now: number): number {
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
    return this.tokens;
  }
  take(now: number): void {
    if (this.available(now) < 1) this.rejected += 1;
    else this.tokens -= 1;
    this.calls.push(now);
  }
}

interface SimClip {
  id: string;
  broadcasterId: string;
  visibleAt: number;
  liveAtCreation: boolean;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main(): Promise<void> {
  const fake = await startFakeTwitch({ now: T0, rateLimit: { points: 1_000_000_000 } });
  process.env.TWURPLE_MOCK_API_PORT = String(fake.port);
  const { db, cleanup } = await openTestDatabase('postgres', { poolSize: 8 });
  const logger = testLogger();
  const now = () => fake.clock.now();
  const endAt = T0 + MINUTES * 60_000;
  const measureFrom = T0 + WARMUP_MINUTES * 60_000;

  // ---- data ------------------------------------------------------------------------------------------
  const ids: string[] = [];
  for (let i = 0; i < CHANNELS; i += 1) {
    ids.push(fake.addBroadcaster({ login: `bench${i}`, createdAt: '2019-01-01T00:00:00Z' }).id);
  }
  const live = new Set<string>();
  const liveRate = new Map<string, number>();
  for (const id of ids) {
    if (random() < LIVE_SHARE) {
      live.add(id);
      // Heavy tail: most live channels get a clip an hour or less, a few get hundreds.
      liveRate.set(id, Math.min(300, 0.6 * Math.pow(random(), -1 / 1.3)));
    }
  }
  // Churn: some streams end and some start during the run.
  const churn: { at: number; id: string; live: boolean }[] = [];
  for (const id of ids) {
    if (live.has(id) && random() < 0.05) churn.push({ at: T0 + random() * (endAt - T0), id, live: false });
    if (!live.has(id) && random() < 0.005) {
      churn.push({ at: T0 + random() * (endAt - T0), id, live: true });
      liveRate.set(id, Math.min(300, 0.6 * Math.pow(random(), -1 / 1.3)));
    }
  }
  churn.sort((a, b) => a.at - b.at);
  for (const id of live) fake.goLive(id);

  // Clips: Poisson arrivals while live, rare VOD clips while offline; 15% show up 1–4 minutes late.
  const liveWindows = new Map<string, [number, number][]>();
  for (const id of ids) liveWindows.set(id, live.has(id) ? [[T0, endAt]] : []);
  for (const event of churn) {
    const windows = liveWindows.get(event.id)!;
    if (event.live) windows.push([event.at, endAt]);
    else windows[0]![1] = event.at;
  }
  const clips: SimClip[] = [];
  const inputs: Parameters<typeof fake.addClips>[0] = [];
  const addClip = (id: string, createdAt: number, liveAtCreation: boolean) => {
    const late = random() < 0.15;
    const delay = late ? 60_000 + random() * 180_000 : 5_000 + random() * 25_000;
    const clipId = `BenchClip${clips.length}`;
    clips.push({ id: clipId, broadcasterId: id, visibleAt: createdAt + delay, liveAtCreation });
    inputs.push({
      id: clipId,
      broadcasterId: id,
      createdAt,
      visibleAfterMs: delay,
      viewCount: Math.floor(5_000 * Math.pow(random(), 4)),
      title: `bench clip ${clips.length}`,
    });
  };
  for (const id of ids) {
    for (const [from, to] of liveWindows.get(id)!) {
      const perMs = (liveRate.get(id) ?? 0) / 3_600_000;
      for (let t = from - Math.log(1 - random()) / perMs; t < to; t -= Math.log(1 - random()) / perMs) {
        addClip(id, t, true);
      }
    }
    // VOD clips: about one per 50 channel-hours.
    for (
      let t = T0 - Math.log(1 - random()) / (0.02 / 3_600_000);
      t < endAt;
      t -= Math.log(1 - random()) / (0.02 / 3_600_000)
    ) {
      addClip(id, t, false);
    }
  }
  fake.addClips(inputs);
  console.log(
    `Simulating ${CHANNELS} channels (${live.size} live, ${churn.length} live-state changes), ${clips.length} clips, ` +
      `${MINUTES} min (${WARMUP_MINUTES} warm-up), budget ${BUDGET}/min per poller.`,
  );

  // ---- ours --------------------------------------------------------------------------------------------
  const registry = new Registry();
  const limiter = createHelixLimiter({ budgetPerMinute: 100_000_000, maxConcurrent: 16 });
  const realAdapter = createTwitchAdapter({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger,
    limiter,
    registry,
  });
  const oursBucket = new SimBucket(BUDGET);
  const oursPolledAt = new Map<string, number>();
  const counted = (
    adapter: TwitchAdapter,
    bucket: SimBucket,
    polledAt: Map<string, number>,
  ): TwitchAdapter => ({
    ...adapter,
    getStreams: (userIds, priority) => {
      for (let i = 0; i < userIds.length; i += 100) bucket.take(now());
      return adapter.getStreams(userIds, priority);
    },
    getClipsPage: (query) => {
      bucket.take(now());
      const startedAt = now();
      return adapter.getClipsPage(query).then((page) => {
        polledAt.set(query.broadcasterId, startedAt);
        return page;
      });
    },
    getGamesByIds: (gameIds, priority) => {
      // Cached ids cost nothing; count a call per 100 ids at most (an upper bound).
      for (let i = 0; i < gameIds.length; i += 100) bucket.take(now());
      return adapter.getGamesByIds(gameIds, priority);
    },
    getClipsByIds: (clipIds, priority) => {
      for (let i = 0; i < clipIds.length; i += 100) bucket.take(now());
      return adapter.getClipsByIds(clipIds, priority);
    },
  });
  const sync = createClipSync({
    db,
    twitch: counted(realAdapter, oursBucket, oursPolledAt),
    logger,
    registry,
    clock: () => fake.clock.nowDate(),
    options: {
      pollConcurrency: 16,
      lateClipMarginMs: 5 * 60_000,
      schedule: {
        // Keep 5% of the budget for interactive use; everything else as in production.
        budgetPerMinute: BUDGET * 0.95,
      },
    },
  });
  const oursSeen = new Map<string, number>();
  sync.events.on('clipDiscovered', (clip: ClipRecord) => {
    if (!oursSeen.has(clip.id)) oursSeen.set(clip.id, now());
  });
  // Tracking 10,000 channels through trackChannel would spend 10,000 Get Users calls; seed the rows
  // directly, history already backfilled, first polls spread over the offline interval.
  await upsertBroadcasters(
    db.sql,
    ids.map((id, i) => ({ id, login: `bench${i}`, displayName: `bench${i}` })),
  );
  await db.sql.query(
    `INSERT INTO tracked_channels (broadcaster_id, reason, tracked_since, next_poll_at, last_polled_at,
                                   backfill_status, backfill_from, backfill_until, backfill_done_from)
     SELECT id, 'subscription', $2::timestamptz, $2::timestamptz + (random() * interval '120 minutes'),
            $2::timestamptz, 'done', $2::timestamptz, $2::timestamptz, $2::timestamptz
       FROM unnest($1::text[]) AS id`,
    [ids, new Date(T0)],
  );

  // ---- fixed-interval poller -------------------------------------------------------------------------
  const fixedLimiter = createHelixLimiter({ budgetPerMinute: 100_000_000, maxConcurrent: 16 });
  const fixedAdapter = createTwitchAdapter({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger,
    limiter: fixedLimiter,
  });
  const fixedBucket = new SimBucket(BUDGET);
  const fixedPolledAt = new Map<string, number>();
  const fixed = counted(fixedAdapter, fixedBucket, fixedPolledAt);
  const fixedIntervalMs = Math.ceil((CHANNELS / BUDGET) * 60_000);
  const fixedNext = ids.map((_, i) => T0 + (i * fixedIntervalMs) / CHANNELS);
  const fixedSeen = new Map<string, number>();

  // ---- run ---------------------------------------------------------------------------------------------
  const started = Date.now();
  let nextSchedule = T0;
  let churnIndex = 0;
  while (now() < endAt) {
    fake.clock.advance(TICK_MS);
    const t = now();
    while (churnIndex < churn.length && churn[churnIndex]!.at <= t) {
      const event = churn[churnIndex++]!;
      if (event.live) fake.goLive(event.id);
      else fake.goOffline(event.id);
    }
    if (t >= nextSchedule) {
      await sync.steps.refreshSchedule();
      nextSchedule = t + 30_000;
    }
    // Ours: live checks first, then as many due polls as the bucket allows (a poll may page, keep slack).
    while (oursBucket.available(t) >= 2 && (await sync.steps.refreshLiveState()) > 0);
    for (;;) {
      const room = Math.floor(oursBucket.available(t)) - 3;
      if (room <= 0 || (await sync.steps.pollDueChannels(Math.min(100, room))) === 0) break;
    }
    // Fixed: every channel whose turn it is, one call, window = interval, first=20.
    const due: number[] = [];
    for (let i = 0; i < fixedNext.length; i += 1) if (fixedNext[i]! <= t) due.push(i);
    for (let i = 0; i < due.length; i += 16) {
      await Promise.all(
        due.slice(i, i + 16).map(async (index) => {
          const id = ids[index]!;
          fixedNext[index]! += fixedIntervalMs;
          const page = await fixed.getClipsPage({
            broadcasterId: id,
            startedAt: new Date(t - fixedIntervalMs),
            endedAt: new Date(t),
            first: 20,
            priority: 'incremental',
          });
          for (const clip of page.clips) if (!fixedSeen.has(clip.id)) fixedSeen.set(clip.id, t);
        }),
      );
    }
    if ((t - T0) % (5 * 60_000) === 0) {
      const stretch = (await registry.getSingleMetric('tcs_sync_budget_stretch')?.get())?.values[0]?.value;
      console.log(
        `  t=${(t - T0) / 60_000} min  ours: ${oursBucket.calls.length} calls, ${oursSeen.size} clips, stretch ${stretch?.toFixed(2)}` +
          `  fixed: ${fixedBucket.calls.length} calls, ${fixedSeen.size} clips  (${Math.round((Date.now() - started) / 1000)} s real)`,
      );
    }
  }

  // ---- report ------------------------------------------------------------------------------------------
  const report = (
    name: string,
    bucket: SimBucket,
    seen: Map<string, number>,
    polledAt: Map<string, number>,
  ) => {
    const measured = clips.filter((clip) => clip.visibleAt >= measureFrom && clip.visibleAt < endAt);
    const freshness = measured
      .filter((clip) => clip.liveAtCreation && seen.has(clip.id))
      .map((clip) => (seen.get(clip.id)! - clip.visibleAt) / 1000);
    // Missed: the poller queried the channel after the clip became visible and still never stored it.
    const missed = measured.filter(
      (clip) => !seen.has(clip.id) && (polledAt.get(clip.broadcasterId) ?? 0) >= clip.visibleAt + TICK_MS,
    ).length;
    const pending = measured.filter((clip) => !seen.has(clip.id)).length - missed;
    const calls = bucket.calls.filter((at) => at >= measureFrom).length;
    return {
      name,
      callsPerMin: calls / (MINUTES - WARMUP_MINUTES),
      p50: percentile(freshness, 0.5),
      p95: percentile(freshness, 0.95),
      liveClips: freshness.length,
      missed,
      pending,
      rateLimited: bucket.rejected,
    };
  };
  const ours = report('ours (adaptive)', oursBucket, oursSeen, oursPolledAt);
  const fixedReport = report(
    `fixed ${Math.round(fixedIntervalMs / 1000)} s, first=20`,
    fixedBucket,
    fixedSeen,
    fixedPolledAt,
  );
  const fake429 = fake.requests().filter((entry) => entry.status === 429).length;
  console.log('');
  console.log(
    'poller                     Helix calls/min  live freshness p50 / p95   live clips  missed  not yet due  429s',
  );
  for (const r of [ours, fixedReport]) {
    console.log(
      `${r.name.padEnd(26)} ${r.callsPerMin.toFixed(0).padStart(15)}  ${r.p50.toFixed(0).padStart(8)} s / ${r.p95.toFixed(0).padStart(5)} s` +
        `  ${String(r.liveClips).padStart(11)}  ${String(r.missed).padStart(6)}  ${String(r.pending).padStart(11)}  ${String(r.rateLimited).padStart(4)}`,
    );
  }
  // A fixed poller's freshness is spread evenly over its interval: to match our p95 it needs the interval
  // that makes its p95 equal ours, and at this budget it can then poll only budget × interval channels.
  const fixedP95PerInterval = fixedReport.p95 / (fixedIntervalMs / 1000);
  const matchingInterval = ours.p95 / fixedP95PerInterval;
  const fixedCapacity = (BUDGET * matchingInterval) / 60;
  console.log('');
  console.log(
    `A fixed poller with the common 60 s interval covers ${BUDGET} channels with ${BUDGET} calls/min; we cover ` +
      `${CHANNELS}: ${(CHANNELS / BUDGET).toFixed(1)}× (target ≥ 10×).`,
  );
  console.log(
    `At equal freshness (our p95, ${ours.p95.toFixed(0)} s) a fixed poller needs a ${matchingInterval.toFixed(0)} s interval and covers ` +
      `${Math.round(fixedCapacity)} channels with ${BUDGET} calls/min; we cover ${CHANNELS}: ` +
      `${(CHANNELS / fixedCapacity).toFixed(1)}×.`,
  );
  console.log(`Fake Twitch 429s: ${fake429}. Real time: ${Math.round((Date.now() - started) / 1000)} s.`);

  await sync.stop();
  await limiter.stop();
  await fixedLimiter.stop();
  await fake.close();
  await cleanup();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
