import { PGlite, types, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Logger } from 'pino';
import { PrismaClient } from '../generated/prisma/client.js';
import { acquireDataDirLock } from './acquireDataDirLock.js';
import type { Database, SqlExecutor } from './Database.js';
import { attachCleanupError } from './cleanUpAndRethrow.js';
import { runInSavepoint } from './nestedTransaction.js';

export interface PgliteDatabase extends Database {
  readonly kind: 'pglite';
  /**
   * A consistent tarball of the whole data directory, loadable through `initialData` (backups, test
   * templates). Taken between transactions, after a CHECKPOINT, while the database stays open.
   */
  dumpDataDir(compression?: 'none' | 'gzip'): Promise<Blob>;
}

/**
 * PostgreSQL's default shared_buffers (128 MB) is allocated and touched inside PGlite's WASM memory when it
 * starts, so it counts in full toward the bot's resident memory even on an empty database. The embedded
 * database reads its files through Node's fs, so the OS page cache keeps the hot pages anyway; 16 MB keeps
 * an idle bot on PGlite about 115 MB smaller (docs/operations.md, "Memory").
 */
const PGLITE_SHARED_BUFFERS = '16MB';

export function isPgliteDatabase(db: Database): db is PgliteDatabase {
  return db.kind === 'pglite' && 'dumpDataDir' in db;
}

/**
 * The embedded database: PostgreSQL compiled to WASM, in this process. `dataDir` undefined keeps it in
 * memory (tests). It has ONE connection shared by Prisma and raw SQL; PGlite serialises every query and
 * transaction behind a mutex, so concurrent callers queue instead of interleaving. One process only.
 */
export async function openPgliteDatabase(options: {
  dataDir?: string;
  /** Start from a `dumpDataDir()` snapshot instead of an empty cluster (skips initdb: ~0.4 s instead of ~2 s). */
  initialData?: Blob;
  logger: Logger;
}): Promise<PgliteDatabase> {
  const logger = options.logger.child({ module: 'db', backend: 'pglite' });
  const lock =
    options.dataDir === undefined ? undefined : await acquireDataDirLock({ dataDir: options.dataDir });
  let client: PGlite;
  try {
    client = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.initialData === undefined ? {} : { loadDataDir: options.initialData }),
      // Search relies on pg_trgm and unaccent; the migration runs CREATE EXTENSION for both.
      extensions: { pg_trgm, unaccent },
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  const sql = pgliteExecutor(client);
  logger.info({ dataDir: options.dataDir ?? 'memory' }, 'opened embedded PGlite database');

  let closed = false;
  return {
    kind: 'pglite',
    prisma,
    sql,
    async ping() {
      await client.query('SELECT 1');
    },
    // PGlite's transaction() holds its transaction mutex, so no other transaction (Prisma's included) is open
    // while the files are read: the copy is what a crash at that instant would leave, minus the WAL replay
    // the CHECKPOINT saves. dumpDataDir itself holds the query mutex, so no statement runs meanwhile.
    dumpDataDir: (compression = 'none') =>
      client.transaction(async (tx) => {
        await tx.exec('CHECKPOINT');
        return client.dumpDataDir(compression);
      }),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await client.close();
      await lock?.release();
      logger.info('embedded PGlite database closed');
    },
  };
}

/**
 * node-postgres returns int8 (count(*), BIGSERIAL ids) and numeric as strings because they can exceed a
 * JS number; PGlite would return numbers. Raw SQL must behave the same on both backends, so PGlite follows
 * node-postgres here. Cast in SQL (`count(*)::int`) when a number is wanted. Prisma has its own parsers.
 */
const SAME_AS_NODE_POSTGRES: QueryOptions = {
  parsers: { [types.INT8]: (value: string) => value, [types.NUMERIC]: (value: string) => value },
};

function pgliteExecutor(client: PGlite): SqlExecutor {
  const executor: SqlExecutor = {
    async query<Row extends object>(text: string, params?: unknown[]) {
      return (await client.query<Row>(text, params, SAME_AS_NODE_POSTGRES)).rows;
    },
    async exec(text) {
      await client.exec(text);
    },
    // PGlite's own transaction() holds its mutex until `work` settles, so nothing else interleaves. When its
    // ROLLBACK fails it throws that error instead of the one `work` threw: rethrow the cause.
    async transaction(work) {
      let failure: { error: unknown } | undefined;
      try {
        return await client.transaction(async (tx) => {
          try {
            return await work(transactionExecutor(tx, 1));
          } catch (error) {
            failure = { error };
            throw error;
          }
        });
      } catch (error) {
        if (failure === undefined || error === failure.error) throw error;
        attachCleanupError(failure.error, error);
        throw failure.error;
      }
    },
    // There is only one connection: session state set here is visible to every caller.
    withConnection: (work) => work(executor),
  };
  return executor;
}

function transactionExecutor(tx: Transaction, depth: number): SqlExecutor {
  const executor: SqlExecutor = {
    async query<Row extends object>(text: string, params?: unknown[]) {
      return (await tx.query<Row>(text, params, SAME_AS_NODE_POSTGRES)).rows;
    },
    async exec(text) {
      await tx.exec(text);
    },
    transaction: (work) =>
      runInSavepoint({ executor, depth, work: () => work(transactionExecutor(tx, depth + 1)) }),
    withConnection: (work) => work(executor),
  };
  return executor;
}
