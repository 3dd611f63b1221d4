import { Registry, type Histogram } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../src/db/createDatabase.js';
import { instrumentDatabase } from '../../../src/db/instrumentDatabase.js';
import { createTestPostgresDatabase, testLogger } from '../../support/databases.js';

const logger = testLogger();

async function sampleValues(registry: Registry, name: string) {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  // A histogram's values carry the series name (_bucket, _sum, _count); gauges' have none.
  return (await (metric as Histogram).get()).values;
}

describe('database metrics', () => {
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ url, drop } = await createTestPostgresDatabase());
  });
  afterAll(async () => {
    await drop();
  });

  it('times every raw statement, inside transactions too, and counts failures apart', async () => {
    const registry = new Registry();
    const db = instrumentDatabase(await createDatabase({ databaseUrl: url, poolSize: 3, logger }), registry);
    try {
      await db.sql.query('SELECT pg_sleep(0.05)');
      await db.sql.transaction(async (tx) => {
        await tx.query('SELECT 1');
        await tx.transaction((nested) => nested.query('SELECT 2'));
      });
      await expect(db.sql.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);

      const values = await sampleValues(registry, 'tcs_db_query_duration_seconds');
      const count = (outcome: string) =>
        values.find(
          (v) => v.metricName === 'tcs_db_query_duration_seconds_count' && v.labels.outcome === outcome,
        )?.value;
      const sum = values.find(
        (v) => v.metricName === 'tcs_db_query_duration_seconds_sum' && v.labels.outcome === 'ok',
      )?.value;
      expect(count('ok')).toBe(3);
      expect(count('error')).toBe(1);
      expect(sum).toBeGreaterThanOrEqual(0.05);
      expect(values.every((v) => v.labels.backend === 'postgres')).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('shows the pool: open, idle and waiting connections against its size', async () => {
    const registry = new Registry();
    const db = instrumentDatabase(await createDatabase({ databaseUrl: url, poolSize: 2, logger }), registry);
    try {
      const busy = Promise.all(Array.from({ length: 4 }, () => db.sql.query('SELECT pg_sleep(0.3)')));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const during = Object.fromEntries(
        (await sampleValues(registry, 'tcs_db_pool_connections')).map((v) => [v.labels.state, v.value]),
      );
      expect(during).toMatchObject({ total: 2, max: 2, idle: 0, waiting: 2 });
      await busy;
      const after = Object.fromEntries(
        (await sampleValues(registry, 'tcs_db_pool_connections')).map((v) => [v.labels.state, v.value]),
      );
      expect(after).toMatchObject({ total: 2, idle: 2, waiting: 0 });
    } finally {
      await db.close();
    }
  });

  // Starting PGlite (WASM) takes seconds on a loaded machine.
  it(
    'has no pool gauge on the embedded database, which has one connection',
    { timeout: 60_000 },
    async () => {
      const registry = new Registry();
      const db = instrumentDatabase(await createDatabase({ logger }), registry);
      try {
        await db.sql.query('SELECT 1');
        expect(registry.getSingleMetric('tcs_db_pool_connections')).toBeUndefined();
        const values = await sampleValues(registry, 'tcs_db_query_duration_seconds');
        expect(values.some((v) => v.labels.backend === 'pglite' && v.value > 0)).toBe(true);
      } finally {
        await db.close();
      }
    },
  );
});
