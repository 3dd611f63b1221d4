import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, foundationMetrics, getOrCreateCounter } from './metrics.js';

describe('createMetricsRegistry', () => {
  it('exposes process metrics and the build info', async () => {
    const registry = createMetricsRegistry({ version: '1.2.3' });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain(`tcs_build_info{version="1.2.3",node="${process.version}"} 1`);
    expect(text).toContain('# TYPE tcs_cache_operations_total counter');
    expect(text).toContain('# TYPE tcs_dependency_up gauge');
    expect(text).toContain('# TYPE tcs_http_requests_total counter');
  });

  it('keeps registries independent so tests do not share series', async () => {
    const first = createMetricsRegistry({ defaultMetrics: false });
    const second = createMetricsRegistry({ defaultMetrics: false });
    foundationMetrics(first).cacheOperations.inc({ backend: 'memory', op: 'get', result: 'hit' });
    expect(await first.metrics()).toContain(
      'tcs_cache_operations_total{backend="memory",op="get",result="hit"} 1',
    );
    expect(await second.metrics()).not.toContain('result="hit"');
  });

  it('returns the already registered metric when a module asks for it twice', () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const config = { name: 'tcs_test_things_total', help: 'Things.', labelNames: ['kind'] as const };
    const first = getOrCreateCounter(registry, { ...config, labelNames: [...config.labelNames] });
    const second = getOrCreateCounter(registry, { ...config, labelNames: [...config.labelNames] });
    expect(second).toBe(first);
    expect(foundationMetrics(registry).dependencyUp).toBe(foundationMetrics(registry).dependencyUp);
  });
});
