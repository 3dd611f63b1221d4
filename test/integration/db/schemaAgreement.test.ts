import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../src/db/createDatabase.js';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from '../../../src/db/migrate.js';
import { createTestPostgresDatabase, openTestDatabase, testLogger } from '../../support/databases.js';
import {
  compareSchemas,
  expectedSchema,
  loadPrismaDatamodel,
  readActualSchema,
  type SchemaShape,
} from './schemaAgreement.js';

const SCHEMA_PATH = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));

async function allMigrationsSql(dir = DEFAULT_MIGRATIONS_DIR): Promise<string> {
  return (await readMigrationFiles(dir)).map((migration) => migration.script).join('\n');
}

describe('schema.prisma and the migrations', () => {
  let expected: SchemaShape;
  let migrationsSql: string;

  beforeAll(async () => {
    expected = expectedSchema(await loadPrismaDatamodel(SCHEMA_PATH));
    migrationsSql = await allMigrationsSql();
  });

  it.each(['postgres', 'pglite'] as const)('describe the same database on %s', async (kind) => {
    const { db, cleanup } = await openTestDatabase(kind);
    try {
      const actual = await readActualSchema(db.sql);
      expect(compareSchemas({ expected, actual, migrationsSql })).toEqual([]);
      // Guard against a vacuous pass: the comparison really saw the domain tables.
      expect(Object.keys(actual.tables)).toEqual(
        expect.arrayContaining(['clips', 'subscriptions', 'deliveries']),
      );
      expect(Object.keys(actual.tables.clips!.indexes).length).toBeGreaterThan(3);
    } finally {
      await cleanup();
    }
  });

  describe('when they disagree', () => {
    let dir: string;
    let actual: SchemaShape;
    let divergentSql: string;

    beforeAll(async () => {
      // The real migrations plus one that changes the database behind schema.prisma's back.
      dir = await mkdtemp(path.join(tmpdir(), 'tcs-divergent-'));
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(path.join(dir, '29991231000000_divergent'));
      await writeFile(
        path.join(dir, '29991231000000_divergent', 'migration.sql'),
        `ALTER TABLE "games" ADD COLUMN "extra" TEXT;
         ALTER TABLE "games" ALTER COLUMN "name" DROP NOT NULL;
         ALTER TABLE "guilds" ALTER COLUMN "name" TYPE VARCHAR(100);
         ALTER TABLE "deliveries" ALTER COLUMN "status" SET DEFAULT 'queued';
         ALTER TABLE "delivery_messages" ALTER COLUMN "attempts" DROP DEFAULT;
         DROP INDEX "games_name_idx";
         CREATE INDEX "games_box_art_url_idx" ON "games"("box_art_url");
         DROP INDEX "clips_creator_id_idx";
         CREATE INDEX "clips_creator_id_idx" ON "clips" USING hash ("creator_id");
         DROP INDEX "favorites_user_id_created_at_idx";
         CREATE INDEX "favorites_user_id_created_at_idx" ON "favorites"("user_id", "created_at");
         ALTER TABLE "clips" DROP CONSTRAINT "clips_broadcaster_id_fkey";
         ALTER TABLE "clips" ADD CONSTRAINT "clips_broadcaster_id_fkey" FOREIGN KEY ("broadcaster_id")
           REFERENCES "broadcasters"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
         CREATE TABLE "orphans" ("id" INTEGER NOT NULL);
         CREATE INDEX "games_box_art_url_trgm_idx" ON "games" USING gin ("box_art_url" gin_trgm_ops);`,
      );
      const database = await createTestPostgresDatabase();
      const logger = testLogger();
      const db = await createDatabase({ databaseUrl: database.url, poolSize: 2, logger });
      try {
        await applyMigrations({ sql: db.sql, logger, migrationsDir: dir });
        actual = await readActualSchema(db.sql);
      } finally {
        await db.close();
        await database.drop();
      }
      divergentSql = await allMigrationsSql(dir);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names every divergent column, index, foreign key and table', () => {
      const problems = compareSchemas({ expected, actual, migrationsSql: divergentSql });
      expect(problems).toEqual(
        expect.arrayContaining([
          'column games.extra: in the database but not in schema.prisma',
          'column games.name: nullable, schema says required',
          'column guilds.name: type "character varying(100)", schema says "text"',
          "column deliveries.status: default 'queued', schema says default 'pending'",
          'column delivery_messages.attempts: has no default, schema says default 0',
          'index games_name_idx on games: in schema.prisma but not in the database',
          expect.stringMatching(
            /^index games_box_art_url_idx on games: in the database but not in schema\.prisma/,
          ),
          expect.stringMatching(/^index clips_creator_id_idx on clips: .*"method":"hash"/),
          expect.stringMatching(/^index favorites_user_id_created_at_idx on favorites: /),
          expect.stringMatching(/^foreign key clips_broadcaster_id_fkey on clips: .*"onDelete":"RESTRICT"/),
          'table orphans: created by a migration but has no model in schema.prisma',
        ]),
      );
      expect(problems).toHaveLength(11);
    });

    it('accepts a raw-SQL search index only while a migration creates it', () => {
      expect(compareSchemas({ expected, actual, migrationsSql: divergentSql }).join('\n')).not.toContain(
        'games_box_art_url_trgm_idx',
      );
      const withoutIt = divergentSql.replace(/CREATE INDEX "games_box_art_url_trgm_idx"[^;]*;/, '');
      expect(compareSchemas({ expected, actual, migrationsSql: withoutIt })).toContain(
        'index games_box_art_url_trgm_idx on games: raw-SQL index that no migration file creates',
      );
    });

    it('notices a schema.prisma field that no migration created', async () => {
      const schemaDir = await mkdtemp(path.join(tmpdir(), 'tcs-schema-'));
      try {
        const source = await readFile(SCHEMA_PATH, 'utf8');
        const changed = source.replace(
          /(model Game \{\n)/,
          '$1  releaseYear Int? @map("release_year")\n  rating Int @default(5)\n',
        );
        expect(changed).not.toBe(source);
        await writeFile(path.join(schemaDir, 'schema.prisma'), changed);
        const divergentExpected = expectedSchema(
          await loadPrismaDatamodel(path.join(schemaDir, 'schema.prisma')),
        );
        const { db, cleanup } = await openTestDatabase('postgres');
        try {
          const problems = compareSchemas({
            expected: divergentExpected,
            actual: await readActualSchema(db.sql),
            migrationsSql,
          });
          expect(problems).toEqual([
            'column games.rating: in schema.prisma but not in the database',
            'column games.release_year: in schema.prisma but not in the database',
          ]);
        } finally {
          await cleanup();
        }
      } finally {
        await rm(schemaDir, { recursive: true, force: true });
      }
    });
  });
});
