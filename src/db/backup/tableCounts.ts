import type { SqlExecutor } from '../Database.js';

/** The application's tables (schema public), without Prisma's migration bookkeeping, sorted by name. */
export async function listDataTables(sql: SqlExecutor): Promise<string[]> {
  const rows = await sql.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
      ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

/** Exact row counts per table (count(*), not the planner's estimate: these figures verify copies). */
export async function countRows(
  sql: SqlExecutor,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await sql.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${quoteIdent(table)}`,
    );
    counts[table] = row?.count ?? 0;
  }
  return counts;
}

/** Names of migrations applied and not rolled back, in order; empty when the database was never migrated. */
export async function appliedMigrationNames(sql: SqlExecutor): Promise<string[]> {
  const [exists] = await sql.query<{ present: boolean }>(
    `SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS present`,
  );
  if (!exists?.present) return [];
  const rows = await sql.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((row) => row.migration_name);
}

/** Table names come from the catalogue, never from input; quoting still keeps odd names valid SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** One line per table, aligned, for the commands' summaries. */
export function formatCounts(counts: Record<string, number>): string {
  const width = Math.max(0, ...Object.keys(counts).map((name) => name.length));
  return Object.entries(counts)
    .map(([table, count]) => `  ${table.padEnd(width)}  ${count}`)
    .join('\n');
}
