import { Registry } from 'prom-client';
import type { Database } from '../db/Database.js';
import { createBotPoster } from './BotPoster.js';
import type { Logger } from '../observability/logger.js';
import { batchWhileBusy } from '../shared/batchWhileBusy.js';
import { createBackgroundLoop, mapWithConcurrency, type BackgroundLoop } from '../sync/backgroundLoop.js';
import {
  claimDueEdits,
  claimDueMessages,
  completeMessages,
  defaultPackOptions,
  loadDeliveriesOfMessages,
  packPendingDeliveries,
  readOutboxStats,
  type MessageClaim,
  type PackOptions,
  type SentMessage,
} from './deliveryClaims.js';
import {
  defaultDeliveryWorkerOptions,
  deliverMessage,
  type DeliveryBatches,
  type DeliveryContext,
  type DeliveryWorkerOptions,
} from './deliverMessage.js';
import { editPostedMessage } from './editPostedMessage.js';
import { defaultFanOutOptions, fanOutClipEvents, type FanOutOptions } from './fanOutClipEvents.js';
import type { NotifyDiscord } from './notifyDiscord.js';
import { createNotifyMetrics } from './notifyMetrics.js';
import { claimDuePauseNotices, sendPauseNotice } from './pauseNotices.js';
import type { WebhookPoster } from './webhooks/WebhookPoster.js';

/** Most posts whose outbox reads or writes share one query. */
const OUTBOX_BATCH = 100;

export interface NotifierOptions {
  fanOut: Omit<FanOutOptions, 'now'>;
  pack: PackOptions;
  worker: DeliveryWorkerOptions;
  /**
   * Most messages in flight (claimed, not yet recorded; at most one per channel). The delivery loop tops
   * up as posts finish instead of waiting for a whole batch, so a slow post never idles the others; the
   * REST client paces what is in flight to Discord's global limit (50 requests/s), so this only needs to
   * cover the time a claim spends being loaded, posted and recorded.
   */
  maxInFlight: number;
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
  maxInFlight: 200,
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
  /** Claims and posts one batch of due messages (up to maxInFlight); returns how many were claimed. */
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
  // Group commit: the posts in flight load their deliveries and record their outcome in shared queries.
  const batches: DeliveryBatches = {
    loadDeliveries: batchWhileBusy((ids: string[]) => loadDeliveriesOfMessages(sql, ids), {
      maxBatch: OUTBOX_BATCH,
    }),
    recordSent: batchWhileBusy((sent: SentMessage[]) => completeMessages(sql, sent), {
      maxBatch: OUTBOX_BATCH,
    }),
  };
  const ctx: DeliveryContext = {
    sql,
    batches,
    discord: deps.discord,
    poster: createBotPoster(deps.discord, {
      recentMessagesSearched: options.worker.recentMessagesSearched,
    }),
    logger,
    metrics,
    clock,
    options: options.worker,
    ...(deps.webhooks === undefined ? {} : { webhooks: deps.webhooks }),
  };
  let lastGauges = 0;

  const claimMessages = (limit: number) =>
    claimDueMessages(sql, { now: clock(), limit, leaseMs: options.leaseMs });
  const deliverClaim = async (claim: MessageClaim): Promise<void> => {
    try {
      await deliverMessage(ctx, claim);
    } catch (error) {
      // A database error while recording: the lease expires and the message is tried again (same nonce).
      logger.error({ err: error, deliveryMessageId: claim.id }, 'Delivery message could not be recorded');
    }
  };

  // The delivery loop's posts in flight. Claims are topped up to maxInFlight; when half have finished the
  // loop is woken to claim more, so the pipe stays full without a claim query per finished post.
  const inFlight = new Set<Promise<void>>();
  const topUpInFlight = async (): Promise<number> => {
    const room = options.maxInFlight - inFlight.size;
    if (room <= 0) return 0;
    const claims = await claimMessages(room);
    for (const claim of claims) {
      const post: Promise<void> = deliverClaim(claim).finally(() => {
        inFlight.delete(post);
        metrics.inFlight.set(inFlight.size);
        if (inFlight.size <= options.maxInFlight / 2) delivery.wake();
      });
      inFlight.add(post);
    }
    metrics.inFlight.set(inFlight.size);
    return claims.length;
  };

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
      const claims = await claimMessages(options.maxInFlight);
      await Promise.all(claims.map(deliverClaim));
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
      const claimed = await topUpInFlight();
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
      // Posts already under way are finished and recorded (each is bounded by the REST client's timeouts).
      await Promise.all(inFlight);
      logger.info('Notifier stopped');
    },
    wake() {
      fanOutLoop.wake();
    },
  };
}
