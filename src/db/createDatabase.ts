import type { Logger } from 'pino';
import type { Database } from './Database.js';
import { openPgliteDatabase } from './openPgliteDatabase.js';
import { openPostgresDatabase } from './openPostgresDatabase.js';

/**
 * Opens the database the configuration asks for: PostgreSQL when `databaseUrl` is set, otherwise the
 * embedded PGlite (in `dataDir`, or in memory when that is undefined). Does not apply migrations; call
 * `applyMigrations` with `db.sql` afterwards.
 */
export function createDatabase(options: {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  logger: Logger;
}): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgresDatabase({
      databaseUrl: options.databaseUrl,
      logger: options.logger,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    });
  }
  return openPgliteDatabase({
    logger: options.logger,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
}
