/**
 * Prometheus metrics. main creates ONE registry with `createMetricsRegistry()` and passes it to every module
 * that measures something; GET /metrics serves it. There is no global registry: tests create their own.
 *
 * How a module adds its metrics: define them in the module with `getOrCreateCounter/Gauge/Histogram(registry,
 * {...})`, named `tcs_<area>_<what>[_total|_seconds]` with a help text and a short, bounded label set (never a
 * guild, channel or user id as a label). The getOrCreate helpers make construction idempotent, so two
 * instances of a module (or a restarted one) on the same registry share the series instead of throwing
 * "metric already registered".
 */
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

export interface CreateMetricsRegistryOptions {
  /** Application version for `tcs_build_info`. */
  version?: string;
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
}

export function createMetricsRegistry(options: CreateMetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  foundationMetrics(registry).buildInfo.set(
    { version: options.version ?? 'unknown', node: process.version },
    1,
  );
  return registry;
}

export function getOrCreateCounter<L extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, 'registers'>,
): Counter<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Counter<L>;
  return new Counter({ ...config, registers: [registry] });
}

export function getOrCreateGauge<L extends string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, 'registers'>,
): Gauge<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Gauge<L>;
  return new Gauge({ ...config, registers: [registry] });
}

export function getOrCreateHistogram<L extends string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Histogram<L>;
  return new Histogram({ ...config, registers: [registry] });
}

/** The foundation's own metrics (cache, dependencies, admin HTTP, build). */
export interface FoundationMetrics {
  /**
   * op: get|set|delete|deleteByPrefix|increment; result: hit|miss|ok|error, or too_large (memory: a value
   * bigger than MEMORY_CACHE_MAX_MB, not stored). backend: memory|redis.
   */
  cacheOperations: Counter<'backend' | 'op' | 'result'>;
  /** The memory cache's entries, in bytes as it counts them against MEMORY_CACHE_MAX_MB. */
  memoryCacheBytes: Gauge;
  /** Entries the memory cache dropped to stay within its bounds (not expiries). */
  memoryCacheEvictions: Counter;
  /** Round trip of one Redis command (the memory backend is not timed: it never leaves the process). */
  cacheOperationDuration: Histogram<'backend' | 'op'>;
  /** 1 when the dependency's last readiness check passed, else 0; dependency: database|cache|discord|twitch. */
  dependencyUp: Gauge<'dependency'>;
  /** route is the route pattern (e.g. /readyz), or `unmatched` for 404s, to keep cardinality bounded. */
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route'>;
  buildInfo: Gauge<'version' | 'node'>;
}

export function foundationMetrics(registry: Registry): FoundationMetrics {
  return {
    cacheOperations: getOrCreateCounter(registry, {
      name: 'tcs_cache_operations_total',
      help: 'Cache operations by backend, operation and result (error = backend unavailable, degraded to miss/no-op).',
      labelNames: ['backend', 'op', 'result'],
    }),
    memoryCacheBytes: getOrCreateGauge(registry, {
      name: 'tcs_cache_memory_bytes',
      help: 'Bytes the in-process memory cache holds, as counted against MEMORY_CACHE_MAX_MB.',
    }),
    memoryCacheEvictions: getOrCreateCounter(registry, {
      name: 'tcs_cache_memory_evictions_total',
      help: 'Entries the in-process memory cache evicted to stay within MEMORY_CACHE_MAX_MB or 10,000 entries.',
    }),
    cacheOperationDuration: getOrCreateHistogram(registry, {
      name: 'tcs_cache_operation_duration_seconds',
      help: 'Time one cache command took, failures included (bounded by the Redis command timeout).',
      labelNames: ['backend', 'op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    dependencyUp: getOrCreateGauge(registry, {
      name: 'tcs_dependency_up',
      help: 'Whether a dependency passed its last readiness check (1) or not (0).',
      labelNames: ['dependency'],
    }),
    httpRequests: getOrCreateCounter(registry, {
      name: 'tcs_http_requests_total',
      help: 'Requests served by the admin HTTP server.',
      labelNames: ['method', 'route', 'status'],
    }),
    httpRequestDuration: getOrCreateHistogram(registry, {
      name: 'tcs_http_request_duration_seconds',
      help: 'Time to serve admin HTTP requests.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5],
    }),
    buildInfo: getOrCreateGauge(registry, {
      name: 'tcs_build_info',
      help: 'Always 1; labels carry the running version and Node.js version.',
      labelNames: ['version', 'node'],
    }),
  };
}
