// Per-statement wall-clock timings of an SqlExecutor, for profiling a benchmark's database work (the shared
// PostgreSQL has no pg_stat_statements). Time includes waiting for a pool connection.
import type { SqlExecutor } from '../../src/db/Database.js';

interface StatementStats {
  calls: number;
  totalMs: number;
  maxMs: number;
}

export interface SqlTimings {
  sql: SqlExecutor;
  /** Statements by total time, slowest first. */
  report(): { statement: string; calls: number; totalMs: number; meanMs: number; maxMs: number }[];
}

export function timeSql(inner: SqlExecutor): SqlTimings {
  const stats = new Map<string, StatementStats>();
  const record = (text: string, startedAt: number): void => {
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    const entry = stats.get(key) ?? { calls: 0, totalMs: 0, maxMs: 0 };
    const ms = performance.now() - startedAt;
    entry.calls += 1;
    entry.totalMs += ms;
    entry.maxMs = Math.max(entry.maxMs, ms);
    stats.set(key, entry);
  };
  const wrap = (executor: SqlExecutor): SqlExecutor => ({
    async query(text, params) {
      const startedAt = performance.now();
      try {
        return await executor.query(text, params);
      } finally {
        record(text, startedAt);
      }
    },
    exec: (text) => executor.exec(text),
    async transaction(work) {
      const startedAt = performance.now();
      try {
        return await executor.transaction((tx) => work(wrap(tx)));
      } finally {
        record('(whole transaction)', startedAt);
      }
    },
    withConnection: (work) => executor.withConnection((connection) => work(wrap(connection))),
  });
  return {
    sql: wrap(inner),
    report: () =>
      [...stats.entries()]
        .map(([statement, entry]) => ({
          statement,
          calls: entry.calls,
          totalMs: Math.round(entry.totalMs),
          meanMs: Number((entry.totalMs / entry.calls).toFixed(1)),
          maxMs: Math.round(entry.maxMs),
        }))
        .sort((a, b) => b.totalMs - a.totalMs),
  };
}
