import type { Counter, Histogram, Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateHistogram } from '../../observability/metrics.js';

/** Search traffic and latency, for dashboards and for checking the bench's figures in production. */
export interface SearchMetrics {
  /** Answered searches by how the text matched (lookup | exact | fuzzy | filter) and source (cache | database). */
  searches: Counter<'mode' | 'source'>;
  /** Time spent in the database per search that missed the cache, by mode. */
  databaseSeconds: Histogram<'mode'>;
  /** Searches turned away by their bounds: `timeout`, `busy` (too many waiting), `requester` (per user). */
  refused: Counter<'reason'>;
}

export function createSearchMetrics(registry: Registry): SearchMetrics {
  return {
    searches: getOrCreateCounter(registry, {
      name: 'tcs_search_requests_total',
      help: 'Clip searches answered, by match mode and source (cache or database)',
      labelNames: ['mode', 'source'],
    }),
    databaseSeconds: getOrCreateHistogram(registry, {
      name: 'tcs_search_database_duration_seconds',
      help: 'Database time of clip searches that missed the cache, by match mode',
      labelNames: ['mode'],
      // The bench's targets are p95 ≤ 20 ms at a million clips: resolve well around that.
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    refused: getOrCreateCounter(registry, {
      name: 'tcs_search_refused_total',
      help: 'Clip searches refused by their bounds: timeout (too broad), busy (too many waiting), requester (too many of one user)',
      labelNames: ['reason'],
    }),
  };
}
