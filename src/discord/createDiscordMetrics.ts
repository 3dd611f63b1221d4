import type { Registry } from 'prom-client';
import { getOrCreateCounter } from '../observability/metrics.js';

/** Metrics of the Discord side of the bot, registered on the process registry built in main. */
export function createDiscordMetrics(registry: Registry) {
  return {
    interactionsTotal: getOrCreateCounter(registry, {
      name: 'tcs_discord_interactions_total',
      help: 'Interactions handled, by command, kind (command | autocomplete) and outcome (ok | error | unknown)',
      labelNames: ['command', 'kind', 'outcome'],
    }),
  };
}
