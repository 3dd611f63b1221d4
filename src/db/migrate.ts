import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { cleanUpAndRethrow } from './cleanUpAndRethrow.js';
import { AppError } from '../shared/errors.js';
import type { SqlExecutor } from './Database.js';

/**
 * prisma/migrations of the project this file belongs to, found by walking up from this file, so the CLI and
 * tests work from any working directory and the compiled build (dist/src/db/) finds the same folder.
 */
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(path.dirname(fileURLToPath(import.meta.url)));

function findMigrationsDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(start, '../../prisma/migrations');
  }
}

/**
 * The key Prisma's schema engine locks during `prisma migrate deploy`. Sharing it means our migrator and a
 * later `prisma migrate deploy` can never run at the same time against one database.
 */
const MIGRATION_LOCK_KEY = 72707369;

/** Exactly Prisma's own bookkeeping table, so `prisma migrate deploy`/`status` accept databases we migrated. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  /** Directory name, e.g. `20261122000000_init`; migrations apply in name order. */
  name: string;
  script: string;
  /** sha256 hex of the file, as Prisma computes it. */
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

/**
 * Applies every migration in `migrationsDir` that the database has not recorded yet, each in its own
 * transaction, under an advisory lock so that processes starting together apply each migration once.
 * Refuses to run when an applied migration's file changed or when a migration is recorded as failed.
 */
export async function applyMigrations(options: {
  sql: SqlExecutor;
  logger: Logger;
  migrationsDir?: string;
  /** How long to wait for another process's migration run before giving up (default 5 minutes). */
  lockTimeoutMs?: number;
}): Promise<{ applied: string[] }> {
  const logger = options.logger.child({ module: 'db.migrate' });
  const migrations = await readMigrationFiles(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  // The advisory lock excludes other sessions only. PGlite's single session would let two concurrent calls
  // in one process both take it, so calls on the same executor also queue here.
  const previous = runsInProgress.get(options.sql) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => applyLocked({ ...options, logger, migrations }));
  runsInProgress.set(options.sql, run);
  return run;
}

const runsInProgress = new WeakMap<SqlExecutor, Promise<unknown>>();

async function applyLocked(options: {
  sql: SqlExecutor;
  logger: Logger;
  migrations: MigrationFile[];
  lockTimeoutMs?: number;
}): Promise<{ applied: string[] }> {
  const { logger, migrations } = options;
  return options.sql.withConnection(async (connection) => {
    await acquireMigrationLock({
      connection,
      logger,
      timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    });
    const unlock = () => connection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    let result: { applied: string[] };
    try {
      await connection.exec(CREATE_MIGRATIONS_TABLE);
      const rows = await connection.query<MigrationRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, logs
           FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const pending = selectPendingMigrations({ migrations, rows, logger });
      const applied: string[] = [];
      for (const migration of pending) {
        await applyOneMigration({ connection, migration, logger });
        applied.push(migration.name);
      }
      logger.info(
        { applied, total: migrations.length },
        applied.length > 0 ? 'migrations applied' : 'schema up to date',
      );
      result = { applied };
    } catch (error) {
      // A failed unlock must not hide why the migration failed; on PostgreSQL withConnection then discards
      // the connection, which ends the session and its lock.
      return cleanUpAndRethrow(error, unlock);
    }
    await unlock();
    return result;
  });
}

const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

/**
 * Polls pg_try_advisory_lock rather than blocking in pg_advisory_lock so that a stuck holder turns into a
 * clear error after `timeoutMs` instead of a start-up that hangs forever.
 */
async function acquireMigrationLock(options: {
  connection: SqlExecutor;
  logger: Logger;
  timeoutMs: number;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = 50;
  for (let attempt = 0; ; attempt += 1) {
    const [row] = await options.connection.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [MIGRATION_LOCK_KEY],
    );
    if (row?.locked) return;
    if (attempt === 0)
      options.logger.info('another process is applying migrations; waiting for it to finish');
    if (Date.now() >= deadline) {
      throw new AppError(
        'db.migrationLockTimeout',
        `Another process has held the migration lock for over ${Math.round(options.timeoutMs / 1000)} s. If no ` +
          'migration is running, find the session holding it with: SELECT pid FROM pg_locks WHERE ' +
          `locktype = 'advisory' AND objid = ${MIGRATION_LOCK_KEY}; and end it with pg_terminate_backend(pid).`,
      );
    }
    // Backoff with jitter so that several waiting processes do not poll in lockstep.
    await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + Math.random())));
    delayMs = Math.min(delayMs * 2, 1_000);
  }
}

/** Reads `<dir>/<name>/migration.sql` for every subdirectory, sorted by name (Prisma's layout). */
export async function readMigrationFiles(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    let script: string;
    try {
      script = await readFile(file, 'utf8');
    } catch (error) {
      throw new AppError(
        'db.migrationUnreadable',
        `Cannot read ${file}: every migration directory needs one.`,
        {
          cause: error,
        },
      );
    }
    migrations.push({ name, script, checksum: sha256(script) });
  }
  return migrations;
}

function selectPendingMigrations(options: {
  migrations: MigrationFile[];
  rows: MigrationRow[];
  logger: Logger;
}): MigrationFile[] {
  // Rows marked rolled back (`prisma migrate resolve --rolled-back`) no longer count: Prisma re-applies them.
  const live = options.rows.filter((row) => row.rolled_back_at === null);
  const unfinished = live.find((row) => row.finished_at === null);
  if (unfinished) {
    throw new AppError(
      'db.migrationFailed',
      `Migration ${unfinished.migration_name} is recorded as started but never finished (a failed or interrupted ` +
        'run). Inspect the database; once it is back to the state before that migration, mark it rolled back with ' +
        `\`npx prisma migrate resolve --rolled-back ${unfinished.migration_name}\` (or set rolled_back_at = now() ` +
        'on its _prisma_migrations row) and start again.' +
        (unfinished.logs ? ` Recorded error: ${unfinished.logs.slice(0, 500)}` : ''),
    );
  }
  const byName = new Map(options.migrations.map((migration) => [migration.name, migration]));
  const appliedNames = new Set<string>();
  for (const row of live) {
    appliedNames.add(row.migration_name);
    const file = byName.get(row.migration_name);
    if (!file) {
      // A newer release migrated this database, or a directory was renamed: running on is the operator's call.
      options.logger.warn(
        { migration: row.migration_name },
        'database has a migration that is not in the migrations directory',
      );
      continue;
    }
    if (!checksumMatches(file.script, row.checksum)) {
      throw new AppError(
        'db.migrationChecksumMismatch',
        `Migration ${row.migration_name} was already applied, but prisma/migrations/${row.migration_name}/migration.sql ` +
          'has changed since (checksum differs). Applied migrations are immutable: restore the original file and ' +
          'put your change in a NEW migration directory.',
      );
    }
  }
  return options.migrations.filter((migration) => !appliedNames.has(migration.name));
}

async function applyOneMigration(options: {
  connection: SqlExecutor;
  migration: MigrationFile;
  logger: Logger;
}): Promise<void> {
  const { connection, migration, logger } = options;
  const startedAt = new Date();
  try {
    // PostgreSQL DDL is transactional: a failing migration leaves neither schema changes nor a row behind.
    await connection.transaction(async (tx) => {
      await tx.exec(migration.script);
      await tx.query(
        `INSERT INTO "_prisma_migrations"
           (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), migration.checksum, migration.name, startedAt],
      );
    });
  } catch (error) {
    throw new AppError(
      'db.migrationFailed',
      `Migration ${migration.name} failed and was rolled back (nothing from it was applied): ` +
        `${(error as Error).message}. Fix the SQL in prisma/migrations/${migration.name}/migration.sql and start again.`,
      { cause: error },
    );
  }
  logger.info(
    { migration: migration.name, durationMs: Date.now() - startedAt.getTime() },
    'migration applied',
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Like Prisma, a checkout that only converted line endings (LF <-> CRLF) is not a change. */
function checksumMatches(script: string, checksum: string): boolean {
  const lf = script.replace(/\r\n/g, '\n');
  return [script, lf, lf.replace(/\n/g, '\r\n')].some((variant) => sha256(variant) === checksum);
}
