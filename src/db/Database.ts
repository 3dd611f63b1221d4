import type { PrismaClient } from '../generated/prisma/client.js';

/** Raw SQL access shared by PGlite and node-postgres, for migrations and SQL Prisma cannot express. */
export interface SqlExecutor {
  /** One parameterised statement ($1, $2, ...). */
  query<Row extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
  /** Runs `work` on one connection inside BEGIN/COMMIT, rolling back if it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly prisma: PrismaClient;
  readonly sql: SqlExecutor;
  /** Resolves when a trivial query succeeds; rejects otherwise. Used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
