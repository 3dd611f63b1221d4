import { Registry } from 'prom-client';
import type { Cache } from '../cache/Cache.js';
import type { Database } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import type { TwitchAdapter, TwitchUser } from '../twitch/twitchTypes.js';
import { backfillChannel } from './backfillChannel.js';
import { createBackgroundLoop, mapWithConcurrency, type BackgroundLoop } from './backgroundLoop.js';
import { applyLiveState, claimBackfills, claimDuePolls } from './channelClaims.js';
import { ClipSyncEmitter } from './clipEvents.js';
import { pollChannel } from './pollChannel.js';
import {
  budgetStretch,
  defaultPollScheduleOptions,
  liveCallsPerMinuteSql,
  type PollScheduleOptions,
} from './pollSchedule.js';
import { recheckClips } from './recheckClips.js';
import { refreshLiveState } from './refreshLiveState.js';
import { defaultClipSyncOptions, type ClipSyncOptions, type SyncContext } from './SyncContext.js';
import { createSyncMetrics } from './syncMetrics.js';
import { channelsReleasedCounter, releaseIdleChannels } from './trackingLifecycle.js';
import { defaultBackfillWindowOptions, type BackfillWindowOptions } from './syncWindows.js';
import {
  getChannelSyncStatus,
  trackChannel,
  untrackChannel,
  type ChannelSyncStatus,
  type TrackReason,
} from './trackChannel.js';

export type ClipSyncOptionsInput = Partial<Omit<ClipSyncOptions, 'schedule' | 'backfill'>> & {
  schedule?: Partial<PollScheduleOptions>;
  backfill?: Partial<BackfillWindowOptions>;
};

export interface CreateClipSyncOptions {
  db: Pick<Database, 'sql'>;
  twitch: TwitchAdapter;
  logger: Logger;
  registry?: Registry;
  cache?: Cache;
  /** Source of "now" for every schedule decision and timestamp (a simulation clock in the bench). */
  clock?: () => Date;
  options?: ClipSyncOptionsInput;
}

/** One pass of each sync job, exposed for tests and the bench (the loops call the same functions). */
export interface ClipSyncSteps {
  /**
   * Claims and polls one batch of due channels (at most `maxChannels`, default `pollBatchSize`); returns how
   * many were polled.
   */
  pollDueChannels(maxChannels?: number): Promise<number>;
  /** One Get Streams batch; returns how many channels were checked. */
  refreshLiveState(): Promise<number>;
  /** Claims and advances up to `backfillConcurrency` backfills; returns how many were worked on. */
  backfillDueChannels(): Promise<number>;
  /** One re-check batch by id; returns how many clips were checked. */
  recheckClips(): Promise<number>;
  /** Recounts channels by state and recomputes the budget stretch; returns the stretch. */
  refreshSchedule(): Promise<number>;
  /** Stops tracking up to 100 channels no subscription needs and nobody wanted lately; returns how many. */
  releaseIdleChannels(): Promise<number>;
}

export interface ClipSync {
  /** `clipDiscovered`, `clipUpdated`, `clipDeleted`: emitted after the clip_events rows committed. */
  readonly events: ClipSyncEmitter;
  readonly steps: ClipSyncSteps;
  start(): void;
  stop(): Promise<void>;
  trackChannel(options: {
    broadcasterId: string;
    reason: TrackReason;
    user?: TwitchUser;
  }): Promise<{ created: boolean }>;
  untrackChannel(broadcasterId: string): Promise<boolean>;
  getChannelSyncStatus(broadcasterId: string): Promise<ChannelSyncStatus | null>;
  /** Live state from EventSub (stream.online/offline): applied at once, the next Get Streams sweep confirms it. */
  setLiveState(broadcasterId: string, isLive: boolean): Promise<void>;
}

export function resolveClipSyncOptions(input: ClipSyncOptionsInput = {}): ClipSyncOptions {
  return {
    ...defaultClipSyncOptions,
    ...input,
    schedule: { ...defaultPollScheduleOptions, ...input.schedule },
    backfill: { ...defaultBackfillWindowOptions, ...input.backfill },
  };
}

/**
 * The clip synchroniser: incremental polls on an adaptive schedule, Get Streams live checks, resumable
 * backfill and deletion re-checks, each a background loop whose work is claimed in PostgreSQL so any number
 * of processes can run it side by side.
 */
export function createClipSync(deps: CreateClipSyncOptions): ClipSync {
  const options = resolveClipSyncOptions(deps.options);
  const logger = deps.logger.child({ component: 'sync' });
  const registry = deps.registry ?? new Registry();
  const metrics = createSyncMetrics(registry);
  const channelsReleased = channelsReleasedCounter(registry);
  const emitter = new ClipSyncEmitter();
  emitter.onListenerError = (error) => logger.error({ err: error }, 'Clip event listener failed');
  let stretch = 1;
  const ctx: SyncContext = {
    sql: deps.db.sql,
    twitch: deps.twitch,
    cache: deps.cache,
    logger,
    metrics,
    emitter,
    clock: deps.clock ?? (() => new Date()),
    options,
    stretch: () => stretch,
  };

  const steps: ClipSyncSteps = {
    async pollDueChannels(maxChannels = options.pollBatchSize) {
      if (maxChannels <= 0) return 0;
      const claims = await claimDuePolls(ctx.sql, {
        now: ctx.clock(),
        // Never claim more than the budget can serve within half a lease, or leases would expire while
        // claims wait in the limiter's queue and another process would poll the same channels again.
        limit: Math.min(
          maxChannels,
          options.pollBatchSize,
          Math.max(1, Math.floor((options.schedule.budgetPerMinute * options.leaseMs) / 120_000)),
        ),
        leaseMs: options.leaseMs,
      });
      await mapWithConcurrency(claims, options.pollConcurrency, (claim) => pollChannel(ctx, claim));
      return claims.length;
    },
    refreshLiveState: () => refreshLiveState(ctx),
    async backfillDueChannels() {
      const claims = await claimBackfills(ctx.sql, {
        now: ctx.clock(),
        limit: options.backfillConcurrency,
        leaseMs: options.leaseMs,
      });
      await Promise.all(claims.map((claim) => backfillChannel(ctx, claim)));
      return claims.length;
    },
    recheckClips: () => recheckClips(ctx),
    async releaseIdleChannels() {
      const released = await releaseIdleChannels(ctx.sql, {
        now: ctx.clock(),
        idleMs: options.trackingIdleMs,
        limit: 100,
      });
      if (released.length > 0) {
        channelsReleased.inc(released.length);
        logger.info(
          { channels: released.length, broadcasterIds: released.slice(0, 20) },
          'Idle channels released',
        );
      }
      return released.length;
    },
    async refreshSchedule() {
      const now = ctx.clock();
      const recentSince = new Date(now.getTime() - options.schedule.recentlyLiveMs);
      const [counts] = await ctx.sql.query<Record<string, string | number | null>>(
        `SELECT count(*) FILTER (WHERE is_live) AS live,
                count(*) FILTER (WHERE NOT is_live AND last_live_at >= $4::timestamptz) AS recent,
                count(*) FILTER (WHERE NOT is_live AND (last_live_at IS NULL OR last_live_at < $4::timestamptz)) AS offline,
                count(*) FILTER (WHERE backfill_status = 'pending') AS bf_pending,
                count(*) FILTER (WHERE backfill_status = 'running') AS bf_running,
                count(*) FILTER (WHERE backfill_status = 'done') AS bf_done,
                count(*) FILTER (WHERE backfill_status = 'failed') AS bf_failed,
                COALESCE(sum(EXTRACT(EPOCH FROM (backfill_done_from - backfill_from)))
                  FILTER (WHERE backfill_status IN ('pending', 'running')), 0) AS bf_remaining,
                ${liveCallsPerMinuteSql} AS live_calls
           FROM tracked_channels`,
        [
          options.schedule.liveIntervalMs,
          options.schedule.minLiveIntervalMs,
          options.schedule.busyClipRatePerHour,
          recentSince,
        ],
      );
      const n = (key: string) => Number(counts?.[key] ?? 0);
      const population = {
        live: n('live'),
        recentlyLive: n('recent'),
        offline: n('offline'),
        liveCallsPerMinute: n('live_calls'),
      };
      stretch = budgetStretch(population, options.schedule);
      metrics.budgetStretch.set(stretch);
      metrics.trackedChannels.set({ state: 'live' }, population.live);
      metrics.trackedChannels.set({ state: 'recently_live' }, population.recentlyLive);
      metrics.trackedChannels.set({ state: 'offline' }, population.offline);
      for (const status of ['pending', 'running', 'done', 'failed'] as const) {
        metrics.backfillChannels.set({ status }, n(`bf_${status}`));
      }
      metrics.backfillRemaining.set(n('bf_remaining'));
      if (stretch > 1)
        logger.info({ stretch, ...population }, 'Helix budget too small: poll intervals stretched');
      return stretch;
    },
  };

  const busyIf = (count: number, full: number): 'busy' | 'idle' =>
    count >= full && full > 0 ? 'busy' : 'idle';
  const loops: BackgroundLoop[] = [
    createBackgroundLoop({
      name: 'schedule',
      logger,
      idleDelayMs: 30_000,
      run: async () => {
        await steps.refreshSchedule();
        return 'idle';
      },
    }),
    createBackgroundLoop({
      name: 'live-check',
      logger,
      idleDelayMs: 5_000,
      run: async () => busyIf(await steps.refreshLiveState(), 100),
    }),
    createBackgroundLoop({
      name: 'poll',
      logger,
      idleDelayMs: 1_000,
      run: async () => busyIf(await steps.pollDueChannels(), options.pollBatchSize),
    }),
    createBackgroundLoop({
      name: 'backfill',
      logger,
      idleDelayMs: 2_000,
      run: async () => busyIf(await steps.backfillDueChannels(), 1),
    }),
    createBackgroundLoop({
      name: 'release-idle',
      logger,
      idleDelayMs: 15 * 60_000,
      run: async () => busyIf(await steps.releaseIdleChannels(), 100),
    }),
    createBackgroundLoop({
      name: 'recheck',
      logger,
      idleDelayMs: 60_000,
      run: async () => busyIf(await steps.recheckClips(), 100),
    }),
  ];
  let started = false;

  return {
    events: emitter,
    steps,
    start() {
      if (started) return;
      started = true;
      for (const loop of loops) loop.start();
      logger.info('Clip sync started');
    },
    async stop() {
      if (!started) return;
      started = false;
      await Promise.all(loops.map((loop) => loop.stop()));
      logger.info('Clip sync stopped');
    },
    trackChannel: async (input) => {
      const result = await trackChannel({
        sql: ctx.sql,
        twitch: ctx.twitch,
        broadcasterId: input.broadcasterId,
        reason: input.reason,
        user: input.user,
        now: ctx.clock(),
        clipsEpoch: options.clipsEpoch,
      });
      if (result.created)
        logger.info({ broadcasterId: input.broadcasterId, reason: input.reason }, 'Channel tracked');
      return result;
    },
    untrackChannel: (broadcasterId) => untrackChannel(ctx.sql, broadcasterId),
    getChannelSyncStatus: (broadcasterId) => getChannelSyncStatus(ctx.sql, broadcasterId),
    async setLiveState(broadcasterId, isLive) {
      await applyLiveState(ctx.sql, {
        now: ctx.clock(),
        liveIds: isLive ? [broadcasterId] : [],
        offlineIds: isLive ? [] : [broadcasterId],
      });
    },
  };
}
