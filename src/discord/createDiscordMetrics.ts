import type { Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateHistogram } from '../observability/metrics.js';

export type DiscordMetrics = ReturnType<typeof createDiscordMetrics>;

/** Metrics of the Discord side of the bot, registered on the process registry built in main. */
export function createDiscordMetrics(registry: Registry) {
  return {
    interactionsTotal: getOrCreateCounter(registry, {
      name: 'tcs_discord_interactions_total',
      help: 'Interactions handled, by command, kind (command | autocomplete | component) and outcome (ok | error | unknown)',
      labelNames: ['command', 'kind', 'outcome'],
    }),
    interactionDuration: getOrCreateHistogram(registry, {
      name: 'tcs_discord_interaction_duration_seconds',
      // Discord gives 3 s for the first answer (autocomplete: no deferral at all), hence the buckets around it.
      help: 'Time from receiving an interaction to the end of its handler (answer sent), by command, kind and outcome',
      labelNames: ['command', 'kind', 'outcome'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    }),
  };
}
