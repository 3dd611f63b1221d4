// Databases for integration and end-to-end tests. Every test file gets its OWN database so files can run
// in parallel against the one shared PostgreSQL server without seeing each other's rows.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { createDatabase } from '../../src/db/createDatabase.js';
import type { Database } from '../../src/db/Database.js';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from '../../src/db/migrate.js';
import { openPgliteDatabase } from '../../src/db/openPgliteDatabase.js';

const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';

/** A silent logger unless TEST_LOG_LEVEL asks for output (e.g. TEST_LOG_LEVEL=debug when debugging). */
export function testLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

/** Runs `work` with a connection to the server's maintenance database (CREATE/DROP DATABASE live there). */
async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty, uniquely named database on the test server. `drop()` removes it even when connections
 * are still open (WITH (FORCE)), so a test that forgot to close a pool cannot leak databases.
 */
export async function createTestPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  // Names start with `tcs_test_` so stray ones (a killed run) are recognisable and safe to drop by hand.
  const name = `tcs_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/**
 * A fresh database of the given kind with every migration applied. PGlite runs in memory. `cleanup()`
 * closes the connection(s) and, for PostgreSQL, drops the database.
 */
export async function openTestDatabase(
  kind: 'postgres' | 'pglite',
  options: { poolSize?: number } = {},
): Promise<{ db: Database; url?: string; cleanup(): Promise<void> }> {
  const logger = testLogger();
  if (kind === 'pglite') {
    const db = await openPgliteDatabase({ initialData: await migratedPgliteTemplate(), logger });
    // Applies nothing, but verifies the template against the migration files like a real start would.
    await applyMigrations({ sql: db.sql, logger });
    return { db, cleanup: () => db.close() };
  }
  const database = await createTestPostgresDatabase();
  try {
    // Small pools: seven people's tests share one server (max_connections is finite).
    const db = await createDatabase({ databaseUrl: database.url, poolSize: options.poolSize ?? 4, logger });
    try {
      await applyMigrations({ sql: db.sql, logger });
    } catch (error) {
      await db.close();
      throw error;
    }
    return {
      db,
      url: database.url,
      async cleanup() {
        try {
          await db.close();
        } finally {
          await database.drop();
        }
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

let templateInProcess: Promise<Blob> | undefined;

/**
 * A snapshot of an in-memory PGlite with every migration applied. PGlite's initdb costs about 2 s of CPU per
 * database, loading a snapshot about 0.4 s, so the snapshot is built once and kept in the OS temp directory
 * for every test file and worker, keyed by the PGlite version and the migrations' checksums (a changed
 * migration makes a new key; old files are harmless leftovers in /tmp).
 */
export function migratedPgliteTemplate(): Promise<Blob> {
  templateInProcess ??= loadOrBuildTemplate();
  return templateInProcess;
}

async function loadOrBuildTemplate(): Promise<Blob> {
  // The package does not export its package.json; its entry point lives in dist/, one level below it.
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pgliteVersion = (
    JSON.parse(await readFile(path.join(path.dirname(pgliteEntry), '..', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const migrations = await readMigrationFiles(DEFAULT_MIGRATIONS_DIR);
  const key = createHash('sha256')
    .update(pgliteVersion)
    .update(migrations.map((migration) => `${migration.name}:${migration.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(tmpdir(), `tcs-pglite-template-${key}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    // Not built yet: build it below.
  }
  const logger = testLogger();
  const db = await openPgliteDatabase({ logger });
  try {
    await applyMigrations({ sql: db.sql, logger });
    const template = await db.dumpDataDir();
    // Write-then-rename: concurrent workers never read a half-written file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, Buffer.from(await template.arrayBuffer()));
    await rename(partial, file);
    return template;
  } finally {
    await db.close();
  }
}
