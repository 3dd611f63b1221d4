import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Logger } from 'pino';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Database, SqlExecutor } from './Database.js';
import { cleanUpAndRethrow } from './cleanUpAndRethrow.js';
import { runInSavepoint } from './nestedTransaction.js';

export const DEFAULT_POOL_SIZE = 10;

/** Anything that can run a query: the pool (a connection per call) or one checked-out client. */
type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * PostgreSQL through node-postgres. One pool serves both Prisma (via @prisma/adapter-pg) and raw SQL, so
 * `poolSize` bounds the process's connections to the server.
 */
export async function openPostgresDatabase(options: {
  databaseUrl: string;
  poolSize?: number;
  logger: Logger;
}): Promise<Database> {
  const logger = options.logger.child({ module: 'db', backend: 'postgres' });
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    // Fail fast instead of queueing forever when the server is unreachable or the pool is exhausted.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));

  const adapter = new PrismaPg(pool, {
    onPoolError: (error) => logger.warn({ err: error }, 'PostgreSQL pool error'),
  });
  const prisma = new PrismaClient({ adapter });
  const sql = poolExecutor(pool, logger);

  try {
    await sql.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  logger.info({ poolSize: pool.options.max }, 'connected to PostgreSQL');

  let closed = false;
  return {
    kind: 'postgres',
    prisma,
    sql,
    async ping() {
      await sql.query('SELECT 1');
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? DEFAULT_POOL_SIZE,
    }),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
      logger.info('PostgreSQL pool closed');
    },
  };
}

function runQuery<Row extends object>(
  queryable: Queryable,
  text: string,
  params?: unknown[],
): Promise<Row[]> {
  return queryable.query<Row & pg.QueryResultRow>(text, params).then((result) => result.rows);
}

/**
 * Checks a client out of the pool for a transaction or a session. node-postgres emits 'error' on a client
 * whose connection breaks (the server restarted, the backend was terminated) even while a query is running,
 * and the pool listens only while the client is idle: without a listener of our own for the time it is
 * checked out, that event is an uncaught exception that ends the process. The listener marks the connection
 * broken (destroyed on release, never reused); the query in flight rejects with the error anyway.
 */
async function checkOut(
  pool: pg.Pool,
  logger: Logger,
): Promise<{ client: pg.PoolClient; markBroken: () => void; release: () => void }> {
  const client = await pool.connect();
  let broken = false;
  const onError = (error: Error) => {
    broken = true;
    logger.warn({ err: error }, 'PostgreSQL connection in use failed');
  };
  client.on('error', onError);
  return {
    client,
    markBroken: () => (broken = true),
    release() {
      client.removeListener('error', onError);
      client.release(broken);
    },
  };
}

function poolExecutor(pool: pg.Pool, logger: Logger): SqlExecutor {
  return {
    query: (text, params) => runQuery(pool, text, params),
    async exec(text) {
      // Without parameters node-postgres uses the simple query protocol, which accepts several statements.
      await pool.query(text);
    },
    async transaction(work) {
      const { client, markBroken, release } = await checkOut(pool, logger);
      try {
        return await clientExecutor(client, 0, markBroken).transaction(work);
      } finally {
        // A connection whose ROLLBACK failed may still be inside the transaction: never hand it out again.
        release();
      }
    },
    async withConnection(work) {
      const { client, markBroken, release } = await checkOut(pool, logger);
      try {
        return await work(clientExecutor(client, 0, markBroken));
      } catch (error) {
        // Session state (advisory locks, SET) may be left behind: destroy the connection rather than reuse it.
        markBroken();
        throw error;
      } finally {
        release();
      }
    },
  };
}

/**
 * Executor bound to one client; `depth` > 0 means a transaction is open, so nesting uses savepoints.
 * `markBroken` is called when a ROLLBACK failed, so the pool destroys the connection instead of reusing it.
 */
function clientExecutor(client: pg.PoolClient, depth: number, markBroken: () => void): SqlExecutor {
  const executor: SqlExecutor = {
    query: (text, params) => runQuery(client, text, params),
    async exec(text) {
      await client.query(text);
    },
    async transaction(work) {
      if (depth > 0) {
        return runInSavepoint({
          executor,
          depth,
          work: () => work(clientExecutor(client, depth + 1, markBroken)),
        });
      }
      await client.query('BEGIN');
      try {
        const result = await work(clientExecutor(client, 1, markBroken));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        return cleanUpAndRethrow(error, () => client.query('ROLLBACK'), markBroken);
      }
    },
    withConnection: (work) => work(executor),
  };
  return executor;
}
