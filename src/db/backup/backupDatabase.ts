import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors.js';
import { openPgliteDatabase } from '../openPgliteDatabase.js';
import { pathExists } from './backupRequestFiles.js';
import { pgDump } from './postgresTools.js';
import { publishNewFile } from './publishNewFile.js';
import { requestBackupFromBot } from './requestBackupFromBot.js';

export interface BackupOutcome {
  backend: 'postgres' | 'pglite';
  output: string;
  bytes: number;
  /** How the copy was taken: pg_dump, from the closed data directory, or by the bot that holds it. */
  via: 'pg_dump' | 'data directory' | 'running bot';
}

/** `backups/tcs-<backend>-<UTC timestamp>.<ext>`: sortable names that never collide within a second. */
export function defaultBackupPath(backend: 'postgres' | 'pglite', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.resolve('backups', `tcs-${backend}-${stamp}.${backend === 'postgres' ? 'dump' : 'tar.gz'}`);
}

/** True when `dataDir` holds an embedded database (PostgreSQL writes PG_VERSION at initdb). */
export function holdsPgliteDatabase(dataDir: string): Promise<boolean> {
  return pathExists(path.join(dataDir, 'PG_VERSION'));
}

/**
 * Backs up the configured database to `output` (a new file). PostgreSQL: a pg_dump custom-format archive.
 * Embedded: a gzip tarball of the data directory, taken by the running bot when it holds the directory,
 * else read directly. Either way the copy is consistent while the bot keeps running.
 */
export async function backupDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  output?: string;
  logger: Logger;
}): Promise<BackupOutcome> {
  const backend = options.databaseUrl ? 'postgres' : 'pglite';
  const output = path.resolve(options.output ?? defaultBackupPath(backend));
  if (await pathExists(output)) {
    throw new AppError(
      'backup.outputExists',
      `${output} already exists; choose another name (backups are never overwritten).`,
    );
  }
  await mkdir(path.dirname(output), { recursive: true });

  if (options.databaseUrl) {
    const databaseUrl = options.databaseUrl;
    await publishNewFile(output, (temporary) => pgDump({ databaseUrl, file: temporary }));
    return { backend, output, bytes: (await stat(output)).size, via: 'pg_dump' };
  }

  const dataDir = path.resolve(options.dataDir);
  if (!(await holdsPgliteDatabase(dataDir))) {
    throw new AppError(
      'backup.noDatabase',
      `There is no embedded database in ${dataDir} (DATA_DIR) to back up.`,
    );
  }
  let db;
  try {
    db = await openPgliteDatabase({ dataDir, logger: options.logger });
  } catch (error) {
    if (error instanceof AppError && error.code === 'db.dataDirInUse') {
      const { bytes } = await requestBackupFromBot({ dataDir, output });
      return { backend, output, bytes, via: 'running bot' };
    }
    throw error;
  }
  try {
    const tarball = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
    await publishNewFile(output, (temporary) => writeFile(temporary, tarball));
    return { backend, output, bytes: tarball.length, via: 'data directory' };
  } finally {
    await db.close();
  }
}
