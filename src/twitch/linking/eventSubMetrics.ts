import type { Counter, Gauge, Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge } from '../../observability/metrics.js';

/** Metrics of EventSub for linked accounts and of their tokens (names kept from when they lived in sync). */
export interface EventSubMetrics {
  /** state: connected | disconnected (sockets per linked account). */
  connection: Gauge<'state'>;
  /** type: stream.online | stream.offline | revocation. */
  notifications: Counter<'type'>;
  /** outcome: ok | transient_failure | invalid_grant | superseded. */
  tokenRefreshes: Counter<'outcome'>;
}

export function createEventSubMetrics(registry: Registry): EventSubMetrics {
  return {
    connection: getOrCreateGauge(registry, {
      name: 'tcs_sync_eventsub_connection',
      help: 'EventSub WebSocket state (1 for the current state).',
      labelNames: ['state'],
    }),
    notifications: getOrCreateCounter(registry, {
      name: 'tcs_sync_eventsub_notifications_total',
      help: 'EventSub notifications received by type.',
      labelNames: ['type'],
    }),
    tokenRefreshes: getOrCreateCounter(registry, {
      name: 'tcs_twitch_linked_token_refreshes_total',
      help: "Refreshes of linked accounts' user tokens by outcome (only invalid_grant unlinks an account).",
      labelNames: ['outcome'],
    }),
  };
}
