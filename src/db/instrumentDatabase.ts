import type { Histogram, Registry } from 'prom-client';
import { getOrCreateGauge, getOrCreateHistogram } from '../observability/metrics.js';
import type { Database, SqlExecutor } from './Database.js';

/**
 * Times every raw SQL statement (search, claims, fan-out, delivery, sync: the hot paths) and exposes the
 * PostgreSQL pool's use, so a slow database or an exhausted pool shows on /metrics before it shows in Discord.
 * Prisma's model calls (favourites, settings: light and rare) are not timed here.
 */
export function instrumentDatabase<D extends Database>(db: D, registry: Registry): D {
  const duration = getOrCreateHistogram(registry, {
    name: 'tcs_db_query_duration_seconds',
    help: 'Time one raw SQL statement took, by backend and outcome (ok | error); PGlite includes its queue wait.',
    labelNames: ['backend', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const poolStats = db.poolStats?.bind(db);
  if (poolStats) {
    getOrCreateGauge(registry, {
      name: 'tcs_db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and callers waiting for one; max is the pool size.',
      labelNames: ['state'],
      collect() {
        const stats = poolStats();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
        this.set({ state: 'max' }, stats.max);
      },
    });
  }
  return { ...db, sql: timedExecutor(db.sql, duration, db.kind) };
}

function timedExecutor(
  sql: SqlExecutor,
  duration: Histogram<'backend' | 'outcome'>,
  backend: Database['kind'],
): SqlExecutor {
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await run();
      outcome = 'ok';
      return result;
    } finally {
      duration.observe({ backend, outcome }, (performance.now() - started) / 1000);
    }
  };
  return {
    query: (text, params) => timed(() => sql.query(text, params)),
    exec: (text) => timed(() => sql.exec(text)),
    transaction: (work) => sql.transaction((tx) => work(timedExecutor(tx, duration, backend))),
    withConnection: (work) =>
      sql.withConnection((connection) => work(timedExecutor(connection, duration, backend))),
  };
}
