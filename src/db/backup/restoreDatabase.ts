import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors.js';
import { createDatabase } from '../createDatabase.js';
import { openPgliteDatabase } from '../openPgliteDatabase.js';
import { holdsPgliteDatabase } from './backupDatabase.js';
import { REQUESTS_DIR_NAME } from './backupRequestFiles.js';
import { pgRestore } from './postgresTools.js';
import { appliedMigrationNames, countRows, listDataTables } from './tableCounts.js';

export interface RestoreOutcome {
  backend: 'postgres' | 'pglite';
  /** Rows per table in the restored database. */
  counts: Record<string, number>;
  /** Migrations recorded in the backup; the bot applies newer ones when it starts. */
  migrations: string[];
}

/** What a backup file is, from its first bytes: pg_dump custom archives start with PGDMP, tarballs are gzip. */
export async function backupKind(file: string): Promise<'postgres' | 'pglite'> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new AppError('restore.unreadable', `Cannot read ${file}: ${(error as Error).message}`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.toString('latin1') === 'PGDMP') return 'postgres';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  } finally {
    await handle.close();
  }
  throw new AppError(
    'restore.unknownFormat',
    `${file} is neither a pg_dump archive nor an embedded database backup.`,
  );
}

/**
 * Restores a backup made by `backupDatabase` into the configured database, which must be empty: a restore
 * never overwrites data. PostgreSQL archives go into PostgreSQL, embedded tarballs into DATA_DIR; moving
 * between the two is `db:move-to-postgres`.
 */
export async function restoreDatabase(options: {
  file: string;
  databaseUrl?: string;
  dataDir: string;
  logger: Logger;
}): Promise<RestoreOutcome> {
  const file = path.resolve(options.file);
  const kind = await backupKind(file);
  const backend = options.databaseUrl ? 'postgres' : 'pglite';
  if (kind !== backend) {
    throw new AppError(
      'restore.wrongBackend',
      kind === 'pglite'
        ? `${file} is a backup of the embedded database, but DATABASE_URL selects PostgreSQL. Restore it with ` +
            'DATABASE_URL unset, then move it with `npm run db:move-to-postgres`.'
        : `${file} is a PostgreSQL archive, but DATABASE_URL is not set. Set DATABASE_URL to an empty PostgreSQL database.`,
    );
  }

  if (options.databaseUrl) {
    await assertPostgresEmpty(options.databaseUrl);
    await pgRestore({ databaseUrl: options.databaseUrl, file });
    const db = await createDatabase({
      databaseUrl: options.databaseUrl,
      poolSize: 1,
      logger: options.logger,
    });
    try {
      return { backend, ...(await summarise(db.sql)) };
    } finally {
      await db.close();
    }
  }

  const dataDir = path.resolve(options.dataDir);
  if (await holdsPgliteDatabase(dataDir)) {
    throw new AppError(
      'restore.notEmpty',
      `${dataDir} (DATA_DIR) already holds a database. Stop the bot and move that directory aside ` +
        `(e.g. mv ${dataDir} ${dataDir}.old), or set DATA_DIR to a new directory, then restore again.`,
    );
  }
  const db = await openPgliteDatabase({
    dataDir,
    initialData: new Blob([await readFile(file)]),
    logger: options.logger,
  });
  try {
    return { backend, ...(await summarise(db.sql)) };
  } finally {
    await db.close();
    // Requests that were pending when the backup was taken belong to the past: never serve them again.
    await rm(path.join(dataDir, REQUESTS_DIR_NAME), { recursive: true, force: true });
  }
}

async function summarise(sql: Parameters<typeof listDataTables>[0]) {
  return {
    counts: await countRows(sql, await listDataTables(sql)),
    migrations: await appliedMigrationNames(sql),
  };
}

async function assertPostgresEmpty(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    if ((rows[0]?.count ?? 0) > 0) {
      throw new AppError(
        'restore.notEmpty',
        'The database DATABASE_URL points at already has tables. Create an empty database (e.g. createdb ' +
          'tcs_restored), point DATABASE_URL at it and restore again; a restore never overwrites data.',
      );
    }
  } finally {
    await client.end();
  }
}
