import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../src/db/createDatabase.js';
import type { Database } from '../../../src/db/Database.js';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from '../../../src/db/migrate.js';
import { AppError } from '../../../src/shared/errors.js';
import { createTestPostgresDatabase, testLogger } from '../../support/databases.js';

const INIT = '20261122000000_init';
const logger = testLogger();

/** A migrations directory holding the real init migration plus whatever a test adds. */
async function scratchMigrationsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tcs-migrations-'));
  await cp(path.join(DEFAULT_MIGRATIONS_DIR, INIT), path.join(dir, INIT), { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, script: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'migration.sql'), script);
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const rows = await db.sql.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  return rows[0]?.found != null;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

describe.each(['pglite', 'postgres'] as const)('applyMigrations on %s', (kind) => {
  let db: Database;
  let dir: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  async function openFresh(): Promise<Database> {
    if (kind === 'pglite') return createDatabase({ logger });
    const database = await createTestPostgresDatabase();
    dropDatabase = database.drop;
    return createDatabase({ databaseUrl: database.url, poolSize: 3, logger });
  }

  beforeAll(async () => {
    db = await openFresh();
  });
  afterAll(async () => {
    await db.close();
    await dropDatabase?.();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every migration of a fresh database once, then nothing on a re-run', async () => {
    dir = await scratchMigrationsDir();
    await addMigration(dir, '20261122000001_second', 'CREATE TABLE "second_table" ("id" INTEGER NOT NULL);');

    expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({
      applied: [INIT, '20261122000001_second'],
    });
    expect(await tableExists(db, 'clips')).toBe(true);
    expect(await tableExists(db, 'second_table')).toBe(true);

    expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({ applied: [] });

    await addMigration(dir, '20261122000002_third', 'CREATE TABLE "third_table" ("id" INTEGER NOT NULL);');
    expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({
      applied: ['20261122000002_third'],
    });
  });

  it('records migrations in rows shaped exactly like Prisma’s own _prisma_migrations', async () => {
    dir = await scratchMigrationsDir();
    const columns = await db.sql.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name,
              format_type(a.atttypid, a.atttypmod) AS data_type,
              CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable
         FROM information_schema.columns c
         JOIN pg_attribute a ON a.attrelid = '"_prisma_migrations"'::regclass AND a.attname = c.column_name
        WHERE c.table_name = '_prisma_migrations'
        ORDER BY c.ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
      ['id', 'character varying(36)', 'NO'],
      ['checksum', 'character varying(64)', 'NO'],
      ['finished_at', 'timestamp with time zone', 'YES'],
      ['migration_name', 'character varying(255)', 'NO'],
      ['logs', 'text', 'YES'],
      ['rolled_back_at', 'timestamp with time zone', 'YES'],
      ['started_at', 'timestamp with time zone', 'NO'],
      ['applied_steps_count', 'integer', 'NO'],
    ]);

    const rows = await db.sql.query<MigrationRow>(
      'SELECT * FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const script = await readFile(path.join(dir, INIT, 'migration.sql'));
    const init = rows.find((row) => row.migration_name === INIT)!;
    expect(init.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(init.checksum).toBe(createHash('sha256').update(script).digest('hex'));
    expect(init.finished_at).toBeInstanceOf(Date);
    expect(init.finished_at!.getTime()).toBeGreaterThanOrEqual(init.started_at.getTime());
    expect(init.logs).toBeNull();
    expect(init.rolled_back_at).toBeNull();
    expect(init.applied_steps_count).toBe(1);
    expect(new Set(rows.map((row) => row.migration_name)).size).toBe(rows.length);
  });

  it('refuses to run when an applied migration file changed, naming it and saying what to do', async () => {
    dir = await scratchMigrationsDir();
    const file = path.join(dir, INIT, 'migration.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\nCREATE TABLE "sneaky" ("id" INTEGER);\n`);

    const error = await applyMigrations({ sql: db.sql, logger, migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('db.migrationChecksumMismatch');
    expect((error as AppError).message).toContain(INIT);
    expect((error as AppError).message).toMatch(/NEW migration/);
    expect(await tableExists(db, 'sneaky')).toBe(false);
  });

  it('accepts a file whose only change is CRLF line endings, as Prisma does', async () => {
    dir = await scratchMigrationsDir();
    const file = path.join(dir, INIT, 'migration.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'));
    expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({ applied: [] });
  });

  it('rolls a failing migration back completely, records nothing, and applies it once fixed', async () => {
    dir = await scratchMigrationsDir();
    const name = '20261122000003_broken';
    await addMigration(dir, name, 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT no_such_function();');

    const error = await applyMigrations({ sql: db.sql, logger, migrationsDir: dir }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('db.migrationFailed');
    expect((error as AppError).message).toContain(name);
    expect(await tableExists(db, 'half_done')).toBe(false);
    const recorded = await db.sql.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', [
      name,
    ]);
    expect(recorded).toHaveLength(0);

    await addMigration(dir, name, 'CREATE TABLE "half_done" ("id" INTEGER);');
    expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({ applied: [name] });
  });

  it('refuses to continue past an unfinished migration row until it is marked rolled back', async () => {
    dir = await scratchMigrationsDir();
    const name = '20261122000004_interrupted';
    await addMigration(dir, name, 'CREATE TABLE "interrupted_table" ("id" INTEGER);');
    const { checksum } = (await readMigrationFiles(dir)).find((m) => m.name === name)!;
    await db.sql.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES (gen_random_uuid()::text, $1, $2, 'connection lost', now(), 0)`,
      [checksum, name],
    );

    const error = await applyMigrations({ sql: db.sql, logger, migrationsDir: dir }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('db.migrationFailed');
    expect((error as AppError).message).toContain(name);
    expect((error as AppError).message).toContain('migrate resolve --rolled-back');

    await db.sql.query('UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1', [
      name,
    ]);
    expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({ applied: [name] });
  });

  it('applies each migration once when two runs start together', async () => {
    dir = await scratchMigrationsDir();
    // Slow enough that without the lock both runs would see it pending.
    await addMigration(
      dir,
      '20261122000005_slow',
      'SELECT pg_sleep(0.3);\nCREATE TABLE "slow_table" ("id" INTEGER);',
    );
    const other = kind === 'postgres' ? await reopen() : db;
    try {
      const results = await Promise.all([
        applyMigrations({ sql: db.sql, logger, migrationsDir: dir }),
        applyMigrations({ sql: other.sql, logger, migrationsDir: dir }),
      ]);
      const applied = results.flatMap((result) => result.applied);
      expect(applied).toContain('20261122000005_slow');
      expect(new Set(applied).size).toBe(applied.length);
      const duplicates = await db.sql.query(
        'SELECT migration_name FROM "_prisma_migrations" WHERE rolled_back_at IS NULL GROUP BY migration_name HAVING count(*) > 1',
      );
      expect(duplicates).toEqual([]);
    } finally {
      if (other !== db) await other.close();
    }
  });

  if (kind === 'postgres') {
    it('gives up with a clear error when another session holds the migration lock too long', async () => {
      dir = await scratchMigrationsDir();
      await db.sql.withConnection(async (holder) => {
        await holder.query('SELECT pg_advisory_lock(72707369)');
        try {
          const started = Date.now();
          const error = await applyMigrations({
            sql: db.sql,
            logger,
            migrationsDir: dir,
            lockTimeoutMs: 300,
          }).catch((e: unknown) => e);
          expect((error as AppError).code).toBe('db.migrationLockTimeout');
          expect((error as AppError).message).toContain('pg_terminate_backend');
          expect(Date.now() - started).toBeLessThan(5_000);
        } finally {
          await holder.query('SELECT pg_advisory_unlock(72707369)');
        }
      });
      expect(await applyMigrations({ sql: db.sql, logger, migrationsDir: dir })).toEqual({ applied: [] });
    });
  }

  /** A second, independent pool on the same PostgreSQL database (a second process, as far as locks go). */
  async function reopen(): Promise<Database> {
    const [row] = await db.sql.query<{ name: string }>('SELECT current_database() AS name');
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
    url.pathname = `/${row!.name}`;
    return createDatabase({ databaseUrl: url.toString(), poolSize: 2, logger });
  }
});

describe('readMigrationFiles', () => {
  it('lists the repository migrations in name order with sha256 checksums', async () => {
    const migrations = await readMigrationFiles(DEFAULT_MIGRATIONS_DIR);
    const names = migrations.map((migration) => migration.name);
    expect(names[0]).toBe(INIT);
    expect([...names].sort()).toEqual(names);
    for (const migration of migrations) expect(migration.checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});
