import { Registry } from 'prom-client';
import type { Database } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import { createBackgroundLoop, mapWithConcurrency, type BackgroundLoop } from '../sync/backgroundLoop.js';
import {
  claimDueEdits,
  claimDueMessages,
  defaultPackOptions,
  packPendingDeliveries,
  readOutboxStats,
  type PackOptions,
} from './deliveryClaims.js';
import {
  defaultDeliveryWorkerOptions,
  deliverMessage,
  type DeliveryContext,
  type DeliveryWorkerOptions,
} from './deliverMessage.js';
import { editPostedMessage } from './editPostedMessage.js';
import { defaultFanOutOptions, fanOutClipEvents, type FanOutOptions } from './fanOutClipEvents.js';
import type { NotifyDiscord } from './notifyDiscord.js';
import { createNotifyMetrics } from './notifyMetrics.js';
import { claimDuePauseNotices, sendPauseNotice } from './pauseNotices.js';
import type { WebhookPoster } from './webhooks/WebhookPoster.js';

export interface NotifierOptions {
  fanOut: Omit<FanOutOptions, 'now'>;
  pack: PackOptions;
  worker: DeliveryWorkerOptions;
  /** Messages claimed (and posted concurrently, one per channel) per iteration. */
  claimBatchSize: number;
  /**
   * Claim lease. Longer than a normal post (including @discordjs/rest's own retries); if it expires
   * mid-post, another process re-sends with the same nonce and Discord answers with the same message.
   */
  leaseMs: number;
  /** Idle polling delays; the sync's in-process clip events wake the fan-out sooner. */
  fanOutIdleMs: number;
  deliveryIdleMs: number;
}

export const defaultNotifierOptions: NotifierOptions = {
  fanOut: defaultFanOutOptions,
  pack: defaultPackOptions,
  worker: defaultDeliveryWorkerOptions,
  claimBatchSize: 100,
  leaseMs: 20_000,
  fanOutIdleMs: 1_000,
  deliveryIdleMs: 500,
};

export type NotifierOptionsInput = Partial<Omit<NotifierOptions, 'fanOut' | 'pack' | 'worker'>> & {
  fanOut?: Partial<NotifierOptions['fanOut']>;
  pack?: Partial<PackOptions>;
  worker?: Partial<DeliveryWorkerOptions>;
};

/** One pass of each step, for tests and the bench (the loops run the same functions). */
export interface NotifierSteps {
  /** Returns the number of events processed (0 also when another process holds the fan-out lock). */
  fanOut(): Promise<number>;
  /** Packs pending deliveries into messages; returns how many deliveries were packed or skipped. */
  pack(): Promise<number>;
  /** Claims and posts one batch of due messages; returns how many were claimed. */
  deliverDue(): Promise<number>;
  /** Edits or removes posts whose clips were renamed or deleted; returns how many were claimed. */
  syncClipChanges(): Promise<number>;
  /** Sends the queued notices of subscriptions paused by a channel problem; returns how many were claimed. */
  sendPauseNotices(): Promise<number>;
  /** Refreshes the queue depth and oldest-pending gauges. */
  refreshGauges(): Promise<void>;
}

export interface Notifier {
  readonly steps: NotifierSteps;
  start(): void;
  stop(): Promise<void>;
  /** New clip events were committed: fan out now rather than at the next idle poll. */
  wake(): void;
}

export function createNotifier(deps: {
  db: Pick<Database, 'sql'>;
  discord: NotifyDiscord;
  /** Posts of subscriptions in webhook mode (as the streamer). */
  webhooks?: WebhookPoster;
  logger: Logger;
  registry?: Registry;
  clock?: () => Date;
  options?: NotifierOptionsInput;
}): Notifier {
  const input = deps.options ?? {};
  const options: NotifierOptions = {
    ...defaultNotifierOptions,
    ...input,
    fanOut: { ...defaultNotifierOptions.fanOut, ...input.fanOut },
    pack: { ...defaultNotifierOptions.pack, ...input.pack },
    worker: { ...defaultNotifierOptions.worker, ...input.worker },
  };
  const logger = deps.logger.child({ component: 'notify' });
  const metrics = createNotifyMetrics(deps.registry ?? new Registry());
  const clock = deps.clock ?? (() => new Date());
  const sql = deps.db.sql;
  const ctx: DeliveryContext = {
    sql,
    discord: deps.discord,
    logger,
    metrics,
    clock,
    options: options.worker,
    ...(deps.webhooks === undefined ? {} : { webhooks: deps.webhooks }),
  };
  let lastGauges = 0;

  const steps: NotifierSteps = {
    async fanOut() {
      const result = await fanOutClipEvents(sql, { ...options.fanOut, now: clock() });
      if (result.events > 0) {
        metrics.fannedOutEvents.inc(result.events);
        logger.debug(
          {
            events: result.events,
            deliveries: result.deliveries,
            groupedIntoMoments: result.groupedIntoMoments,
          },
          'Clip events fanned out',
        );
        if (result.deliveries > 0) delivery.wake();
      }
      return result.events;
    },
    async pack() {
      const result = await packPendingDeliveries(sql, options.pack);
      if (result.groupedIntoPosts > 0) {
        metrics.deliveries.inc({ outcome: 'grouped' }, result.groupedIntoPosts);
        logger.info(
          { clips: result.groupedIntoPosts },
          "Clips joined their moment's post; it will be edited",
        );
      }
      return result.handled;
    },
    async deliverDue() {
      const claims = await claimDueMessages(sql, {
        now: clock(),
        limit: options.claimBatchSize,
        leaseMs: options.leaseMs,
      });
      await mapWithConcurrency(claims, options.claimBatchSize, async (claim) => {
        try {
          await deliverMessage(ctx, claim);
        } catch (error) {
          // A database error while recording: the lease expires and the message is tried again (same nonce).
          logger.error({ err: error, deliveryMessageId: claim.id }, 'Delivery message could not be recorded');
        }
      });
      return claims.length;
    },
    async syncClipChanges() {
      const claims = await claimDueEdits(sql, { now: clock(), limit: 20, leaseMs: options.leaseMs });
      await mapWithConcurrency(claims, 5, async (claim) => {
        try {
          await editPostedMessage(ctx, claim);
        } catch (error) {
          logger.error({ err: error, deliveryMessageId: claim.id }, 'Post edit could not be recorded');
        }
      });
      return claims.length;
    },
    async sendPauseNotices() {
      const claims = await claimDuePauseNotices(sql, { now: clock(), limit: 10, leaseMs: options.leaseMs });
      for (const claim of claims) {
        try {
          await sendPauseNotice(ctx, claim);
        } catch (error) {
          logger.error({ err: error, pauseNoticeId: claim.id }, 'Pause notice could not be recorded');
        }
      }
      return claims.length;
    },
    async refreshGauges() {
      const stats = await readOutboxStats(sql, clock());
      metrics.queueDepth.set(stats.pending);
      metrics.oldestPendingAge.set(stats.oldestPendingAgeSec);
    },
  };

  const fanOutLoop: BackgroundLoop = createBackgroundLoop({
    name: 'notify-fanout',
    logger,
    idleDelayMs: options.fanOutIdleMs,
    run: async () => ((await steps.fanOut()) >= options.fanOut.batchSize ? 'busy' : 'idle'),
  });
  const delivery: BackgroundLoop = createBackgroundLoop({
    name: 'notify-delivery',
    logger,
    idleDelayMs: options.deliveryIdleMs,
    run: async () => {
      const packed = await steps.pack();
      const claimed = await steps.deliverDue();
      const edited = await steps.syncClipChanges();
      const noticed = await steps.sendPauseNotices();
      if (Date.now() - lastGauges >= 5_000) {
        lastGauges = Date.now();
        await steps.refreshGauges();
      }
      return packed >= options.pack.limit || claimed > 0 || edited > 0 || noticed > 0 ? 'busy' : 'idle';
    },
  });
  let started = false;
  return {
    steps,
    start() {
      if (started) return;
      started = true;
      fanOutLoop.start();
      delivery.start();
      logger.info('Notifier started');
    },
    async stop() {
      if (!started) return;
      started = false;
      await Promise.all([fanOutLoop.stop(), delivery.stop()]);
      logger.info('Notifier stopped');
    },
    wake() {
      fanOutLoop.wake();
    },
  };
}
