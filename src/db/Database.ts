import type { PrismaClient } from '../generated/prisma/client.js';

/** Raw SQL access shared by PGlite and node-postgres, for migrations and SQL Prisma cannot express. */
export interface SqlExecutor {
  /** One parameterised statement ($1, $2, ...). */
  query<Row extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` on one connection inside BEGIN/COMMIT, rolling back if it throws. Inside `work`, use `tx`
   * only: on PGlite (one connection) a call on the outer executor waits for this transaction and deadlocks.
   * Calling `tx.transaction` nests through a SAVEPOINT.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one dedicated connection, outside any transaction, for session state such as
   * `pg_advisory_lock`. PGlite has a single connection, so there it is the executor itself.
   */
  withConnection<T>(work: (connection: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly prisma: PrismaClient;
  readonly sql: SqlExecutor;
  /** Resolves when a trivial query succeeds; rejects otherwise. Used by /readyz. */
  ping(): Promise<void>;
  /** Connection pool use (PostgreSQL only; PGlite has one connection). */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Callers queued for a connection: above zero for long means the pool is too small. */
  waiting: number;
  max: number;
}
