import type { Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from '../observability/metrics.js';

const LATENCY_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

export function createNotifyMetrics(registry: Registry) {
  return {
    deliveries: getOrCreateCounter(registry, {
      name: 'tcs_notify_deliveries_total',
      help: 'Deliveries (one clip to one subscription) by final outcome: sent, grouped (joined a posted moment), failed (dead letter), skipped',
      labelNames: ['outcome'] as const,
    }),
    attempts: getOrCreateCounter(registry, {
      name: 'tcs_notify_send_attempts_total',
      help: 'Discord message posts by result: sent, found (an earlier attempt had posted it), retry, rejected, channel_problem',
      labelNames: ['result'] as const,
    }),
    deadLetters: getOrCreateCounter(registry, {
      name: 'tcs_notify_dead_letters_total',
      help: 'Deliveries given up on (after the last attempt, a rejected payload, or a channel problem)',
    }),
    pauseNotices: getOrCreateCounter(registry, {
      name: 'tcs_notify_pause_notices_total',
      help: 'Notices telling a guild a subscription was paused, by result: sent, retry, dm_fallback, failed',
      labelNames: ['result'] as const,
    }),
    postEdits: getOrCreateCounter(registry, {
      name: 'tcs_notify_post_edits_total',
      help: 'Edits of posts whose clips were renamed or deleted, by result: edited, removed, gone, retry, gave_up',
      labelNames: ['result'] as const,
    }),
    fannedOutEvents: getOrCreateCounter(registry, {
      name: 'tcs_notify_fanout_events_total',
      help: 'clip_events rows processed by the fan-out',
    }),
    discoveryToPost: getOrCreateHistogram(registry, {
      name: 'tcs_notify_discovery_to_post_seconds',
      help: 'Time from the sync first storing a clip to its post in Discord',
      buckets: LATENCY_BUCKETS,
    }),
    creationToPost: getOrCreateHistogram(registry, {
      name: 'tcs_notify_creation_to_post_seconds',
      help: "Time from a clip's creation on Twitch to its post in Discord",
      buckets: LATENCY_BUCKETS,
    }),
    queueDepth: getOrCreateGauge(registry, {
      name: 'tcs_notify_queue_depth',
      help: 'Pending deliveries (not yet posted, failed or skipped)',
    }),
    inFlight: getOrCreateGauge(registry, {
      name: 'tcs_notify_messages_in_flight',
      help: 'Delivery messages claimed by this process and not yet recorded (posting or waiting for the rate limit)',
    }),
    oldestPendingAge: getOrCreateGauge(registry, {
      name: 'tcs_notify_oldest_pending_age_seconds',
      help: 'Age of the oldest pending delivery',
    }),
  };
}

export type NotifyMetrics = ReturnType<typeof createNotifyMetrics>;
