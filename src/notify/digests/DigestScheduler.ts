import { Registry } from 'prom-client';
import type { Database } from '../../db/Database.js';
import type { Logger } from '../../observability/logger.js';
import { getOrCreateCounter } from '../../observability/metrics.js';
import { createBackgroundLoop, type BackgroundLoop } from '../../sync/backgroundLoop.js';
import { defaultFanOutOptions } from '../fanOutClipEvents.js';
import { periodContaining, type DigestMode } from './digestPeriods.js';
import {
  claimDigestRuns,
  pruneDigestRuns,
  queueDigest,
  scheduleDigestRuns,
  usableTimeZone,
} from './digestRuns.js';

export interface DigestSchedulerOptions {
  /** Between passes. A digest goes out within this much of its time. */
  idleMs: number;
  /**
   * A period's digest is queued this long after the period ends, so the clips of its last minutes (visible
   * on Twitch late, then polled about every minute while live) are counted.
   */
  settleMs: number;
  /** Runs claimed per pass. */
  claimBatchSize: number;
  /** Claim lease: a process that dies while queueing leaves the run to another after this. */
  leaseMs: number;
  /** Claims of one run (each after the previous lease expired) before it is given up. */
  maxAttempts: number;
  /** Candidate clips read per query while looking for a period's top clips. */
  pageSize: number;
  /**
   * Finished runs are deleted once their period ended this long ago (docs/notifications.md, Digests). Must
   * exceed the longest period (a week) plus `settleMs`, or a period could be written again.
   */
  retentionMs: number;
  /** Runs deleted per pass at most. */
  pruneBatchSize: number;
}

export const defaultDigestSchedulerOptions: DigestSchedulerOptions = {
  idleMs: 60_000,
  settleMs: 10 * 60_000,
  claimBatchSize: 20,
  leaseMs: 60_000,
  maxAttempts: 5,
  pageSize: 200,
  retentionMs: 35 * 24 * 3_600_000,
  pruneBatchSize: 1_000,
};

export interface DigestPass {
  scheduled: number;
  claimed: number;
  /** Finished runs past their retention deleted. */
  pruned: number;
}

export interface DigestScheduler {
  /** One pass at `now` (default: the clock): write due runs, then claim and queue a batch. For tests. */
  runOnce(now?: Date): Promise<DigestPass>;
  start(): void;
  stop(): Promise<void>;
}

/** When the digest of the period running at `now` will be queued (its end plus the settle delay). */
export function nextDigestAt(
  now: Date,
  timeZone: string,
  mode: DigestMode,
  settleMs = defaultDigestSchedulerOptions.settleMs,
): Date {
  const settled = new Date(now.getTime() - settleMs);
  return new Date(periodContaining(settled, usableTimeZone(timeZone), mode).end.getTime() + settleMs);
}

function createDigestMetrics(registry: Registry) {
  return {
    runs: getOrCreateCounter(registry, {
      name: 'tcs_notify_digest_runs_total',
      help: 'Digest periods by outcome: scheduled (row written), queued (message in the outbox), empty (nothing matched, nothing posted), skipped (paused, mode changed, server left), failed (given up), pruned (finished run deleted after its retention)',
      labelNames: ['outcome'] as const,
    }),
  };
}

/**
 * The digest loop: every `idleMs`, writes the runs of periods that just finished in each guild's time zone,
 * queues them as digest messages that the notifier's delivery loop posts, and prunes finished runs past
 * their retention. Several processes may run
 * it: runs are unique per period and claimed with SKIP LOCKED and a lease.
 */
export function createDigestScheduler(deps: {
  db: Pick<Database, 'sql'>;
  logger: Logger;
  registry?: Registry;
  clock?: () => Date;
  options?: Partial<DigestSchedulerOptions>;
}): DigestScheduler {
  const options = { ...defaultDigestSchedulerOptions, ...deps.options };
  const logger = deps.logger.child({ component: 'digests' });
  const metrics = createDigestMetrics(deps.registry ?? new Registry());
  const clock = deps.clock ?? (() => new Date());
  const sql = deps.db.sql;
  const unknownZonesLogged = new Set<string>();

  async function runOnce(now = clock()): Promise<DigestPass> {
    const scheduled = await scheduleDigestRuns(sql, {
      now,
      settleMs: options.settleMs,
      onUnknownZone: (zone) => {
        if (unknownZonesLogged.has(zone)) return;
        unknownZonesLogged.add(zone);
        logger.warn({ timeZone: zone }, 'Time zone unknown to this runtime: its digests follow UTC');
      },
    });
    if (scheduled > 0) {
      metrics.runs.inc({ outcome: 'scheduled' }, scheduled);
      logger.info({ runs: scheduled }, 'Digest periods scheduled');
    }
    const claims = await claimDigestRuns(sql, {
      now,
      limit: options.claimBatchSize,
      leaseMs: options.leaseMs,
    });
    for (const claim of claims) {
      const log = logger.child({ digestRunId: claim.id, subscriptionId: claim.subscriptionId });
      try {
        const result = await queueDigest(sql, claim, {
          now,
          maxAttempts: options.maxAttempts,
          pageSize: options.pageSize,
          untitledTwinWindowMs: defaultFanOutOptions.untitledTwinWindowMs,
        });
        if (result.outcome === 'lost-lease') continue;
        metrics.runs.inc({ outcome: result.outcome });
        if (result.outcome === 'queued') {
          log.info(
            {
              deliveryMessageId: result.deliveryMessageId,
              clips: result.clips,
              periodStart: result.period.start.toISOString(),
            },
            'Digest queued',
          );
        } else if (result.outcome === 'empty') {
          log.info({ periodStart: result.period.start.toISOString() }, 'Digest period empty: nothing posted');
        } else if (result.outcome === 'skipped') {
          log.info({ reason: result.reason }, 'Digest skipped');
        } else {
          log.error({ reason: result.reason }, 'Digest given up');
        }
      } catch (error) {
        // The lease expires and another pass (of any process) tries again, up to maxAttempts claims.
        log.error({ err: error, attempt: claim.attempts }, 'Digest could not be queued');
      }
    }
    const pruned = await pruneDigestRuns(sql, {
      before: new Date(now.getTime() - options.retentionMs),
      limit: options.pruneBatchSize,
    });
    if (pruned > 0) {
      metrics.runs.inc({ outcome: 'pruned' }, pruned);
      logger.info({ runs: pruned }, 'Finished digest runs past their retention pruned');
    }
    return { scheduled, claimed: claims.length, pruned };
  }

  const loop: BackgroundLoop = createBackgroundLoop({
    name: 'notify-digests',
    logger,
    idleDelayMs: options.idleMs,
    run: async () => {
      const pass = await runOnce();
      return pass.claimed >= options.claimBatchSize || pass.pruned >= options.pruneBatchSize
        ? 'busy'
        : 'idle';
    },
  });
  let started = false;
  return {
    runOnce,
    start() {
      if (started) return;
      started = true;
      loop.start();
      logger.info({ settleMs: options.settleMs }, 'Digest scheduler started');
    },
    async stop() {
      if (!started) return;
      started = false;
      await loop.stop();
      logger.info('Digest scheduler stopped');
    },
  };
}
