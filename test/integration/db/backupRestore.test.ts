// `npm run db:backup` and `npm run db:restore` on both backends, run as the real commands: a backup restored
// into a fresh database holds every clip, subscription and delivery. The embedded database is backed up while
// the real bot holds it (against the fakes), through the bot itself.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../src/db/createDatabase.js';
import { applyMigrations } from '../../../src/db/migrate.js';
import { isPgliteDatabase, openPgliteDatabase } from '../../../src/db/openPgliteDatabase.js';
import { backupDatabase } from '../../../src/db/backup/backupDatabase.js';
import { requestBackupFromBot } from '../../../src/db/backup/requestBackupFromBot.js';
import { restoreDatabase } from '../../../src/db/backup/restoreDatabase.js';
import { botEnvForFakes } from '../../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.js';
import { startFakeTwitch, type FakeTwitch } from '../../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../../support/botProcess.js';
import {
  createTestPostgresDatabase,
  migratedPgliteTemplate,
  openTestDatabase,
  testLogger,
} from '../../support/databases.js';
import {
  seedOperationalData,
  snapshotOperationalData,
  type OperationalSnapshot,
} from '../../support/operationalData.js';
import { PROCESS_TEST_TIMEOUT_MS, runScript } from '../../support/runCommand.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tcs-backup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The identity of a row: its id, or the composite key of favourites and accounts. */
function rowKey(row: unknown): string {
  const r = row as Record<string, unknown>;
  return String(r.id ?? `${String(r.userId ?? r.twitchUserId)}:${String(r.clipId ?? '')}`);
}

function expectEveryRow(restored: OperationalSnapshot, original: OperationalSnapshot): void {
  expect(original.clips.length).toBe(30);
  expect(original.subscriptions.length).toBe(2);
  expect(original.deliveries.length).toBe(30);
  expect(restored).toEqual(original);
}

describe(
  'backup and restore on PostgreSQL (pg_dump custom format)',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    let source: Awaited<ReturnType<typeof openTestDatabase>>;
    let fresh: { url: string; drop(): Promise<void> };
    let original: OperationalSnapshot;
    const file = path.join(scratch, 'postgres.dump');

    beforeAll(async () => {
      source = await openTestDatabase('postgres', { poolSize: 2 });
      await seedOperationalData(source.db);
      original = await snapshotOperationalData(source.db);
      fresh = await createTestPostgresDatabase();
    }, PROCESS_TEST_TIMEOUT_MS);
    afterAll(async () => {
      await source?.cleanup();
      await fresh?.drop();
    });

    it('backs up with db:backup and restores into a fresh database with every row', async () => {
      const backup = await runScript('src/db/backup/backupCli.ts', {
        env: { DATABASE_URL: source.url!, LOG_LEVEL: 'warn' },
        args: ['--out', file],
        cwd: scratch,
      });
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(/Backed up the PostgreSQL database \(pg_dump\)/);

      const restore = await runScript('src/db/backup/restoreCli.ts', {
        env: { DATABASE_URL: fresh.url, LOG_LEVEL: 'warn' },
        args: [file],
        cwd: scratch,
      });
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.stdout).toMatch(/clips\s+30/);

      const restored = await createDatabase({ databaseUrl: fresh.url, poolSize: 1, logger: testLogger() });
      try {
        // Nothing to apply: the restored database records the same migrations as the source.
        expect((await applyMigrations({ sql: restored.sql, logger: testLogger() })).applied).toEqual([]);
        expectEveryRow(await snapshotOperationalData(restored), original);
      } finally {
        await restored.close();
      }
    });

    it('refuses to restore over a database that has tables, or a backup of the other backend', async () => {
      await expect(
        restoreDatabase({ file, databaseUrl: fresh.url, dataDir: scratch, logger: testLogger() }),
      ).rejects.toThrow(/already has tables.*createdb/);
      const gzip = path.join(scratch, 'not-postgres.tar.gz');
      await writeFile(gzip, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
      await expect(
        restoreDatabase({ file: gzip, databaseUrl: fresh.url, dataDir: scratch, logger: testLogger() }),
      ).rejects.toThrow(/backup of the embedded database.*db:move-to-postgres/);
    });
  },
);

describe(
  'backup and restore of the embedded database while the bot runs',
  { timeout: PROCESS_TEST_TIMEOUT_MS },
  () => {
    let discord: FakeDiscord;
    let twitch: FakeTwitch;
    let bot: BotProcess;
    let original: OperationalSnapshot;
    const dataDir = path.join(scratch, 'live-data');
    const liveBackup = path.join(scratch, 'backups', 'live.tar.gz');
    const stoppedBackup = path.join(scratch, 'backups', 'stopped.tar.gz');

    beforeAll(async () => {
      // From the migrated template: skips initdb and the migrations (seconds of CPU on a busy machine).
      const seeded = await openPgliteDatabase({
        dataDir,
        initialData: await migratedPgliteTemplate(),
        logger: testLogger(),
      });
      try {
        await seedOperationalData(seeded);
        original = await snapshotOperationalData(seeded);
      } finally {
        await seeded.close();
      }
      discord = await startFakeDiscord();
      twitch = await startFakeTwitch();
      bot = startBotProcess({
        cwd: scratch,
        env: botEnvForFakes(discord, twitch, {
          DATA_DIR: dataDir,
          ADMIN_PORT: '0',
          LOG_LEVEL: 'info',
          // The seeded data has a linked Twitch account, whose token the bot refuses to ignore without its key.
          TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        }),
      });
      await bot.waitForLog((line) => line.msg === 'serving embedded database backup requests', 60_000);
    }, 120_000);

    afterAll(async () => {
      if (bot) await bot.stop('SIGKILL');
      await discord?.close();
      await twitch?.close();
    });

    it('db:backup gets a consistent copy from the running bot, which keeps the database open', async () => {
      const backup = await runScript('src/db/backup/backupCli.ts', {
        env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        args: ['--out', liveBackup],
        cwd: scratch,
      });
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(
        /Backed up the embedded database \(running bot\) to .*live\.tar\.gz \(\d+ bytes\)/,
      );
      expect(bot.logs.some((line) => line.msg === 'embedded database backup written')).toBe(true);
      expect(bot.child.exitCode).toBeNull();
    });

    it('refuses to restore into the data directory the bot uses', async () => {
      await expect(restoreDatabase({ file: liveBackup, dataDir, logger: testLogger() })).rejects.toThrow(
        /already holds a database/,
      );
    });

    it('restores the backup into an empty data directory with every row', async () => {
      const restoredDir = path.join(scratch, 'restored-data');
      const restore = await runScript('src/db/backup/restoreCli.ts', {
        env: { DATA_DIR: restoredDir, LOG_LEVEL: 'warn' },
        args: [liveBackup],
        cwd: scratch,
      });
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.stdout).toMatch(/deliveries\s+30/);
      const restored = await openPgliteDatabase({ dataDir: restoredDir, logger: testLogger() });
      try {
        // The bot kept working while the backup was taken (it polls the tracked channel, for one), so the
        // copy is compared by what users own: every clip, subscription, delivery and favourite is there.
        const copy = await snapshotOperationalData(restored);
        for (const table of [
          'clips',
          'subscriptions',
          'deliveries',
          'favorites',
          'twitchAccounts',
        ] as const) {
          expect(copy[table].map(rowKey), table).toEqual(original[table].map(rowKey));
        }
        expect(copy.clips.map((clip) => (clip as { title: string }).title)).toEqual(
          original.clips.map((clip) => (clip as { title: string }).title),
        );
      } finally {
        await restored.close();
      }
    });

    it('backs up directly from the data directory once the bot has stopped', async () => {
      expect((await bot.stop('SIGTERM')).code).toBe(0);
      const outcome = await backupDatabase({ dataDir, output: stoppedBackup, logger: testLogger() });
      expect(outcome).toMatchObject({ backend: 'pglite', via: 'data directory', output: stoppedBackup });
      expect(outcome.bytes).toBeGreaterThan(0);
    });
  },
);

describe('the embedded database dump', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('waits for an open transaction to finish, so a backup never holds half of one', async () => {
    const { db, cleanup } = await openTestDatabase('pglite');
    try {
      if (!isPgliteDatabase(db)) throw new Error('expected the embedded database');
      await db.prisma.broadcaster.create({ data: { id: '1', login: 'a', displayName: 'A' } });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const transaction = db.prisma.$transaction(async (tx) => {
        await tx.broadcaster.create({ data: { id: '2', login: 'b', displayName: 'B' } });
        await held;
        await tx.broadcaster.create({ data: { id: '3', login: 'c', displayName: 'C' } });
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      let dumped = false;
      const dump = db.dumpDataDir().then((blob) => {
        dumped = true;
        return blob;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(dumped).toBe(false);
      release();
      await transaction;
      const copy = await openPgliteDatabase({ initialData: await dump, logger: testLogger() });
      try {
        const ids = (await copy.prisma.broadcaster.findMany({ orderBy: { id: 'asc' } })).map((b) => b.id);
        expect(ids).toEqual(['1', '2', '3']);
      } finally {
        await copy.close();
      }
    } finally {
      await cleanup();
    }
  });
});

describe('asking for a backup when the holder of the data directory does not answer', () => {
  it('fails after the pickup timeout and withdraws its request', async () => {
    const dataDir = path.join(scratch, 'silent');
    await mkdir(path.join(dataDir, 'backup-requests'), { recursive: true });
    await expect(
      requestBackupFromBot({ dataDir, output: path.join(scratch, 'never.tar.gz'), pickupTimeoutMs: 300 }),
    ).rejects.toThrow(/No process picked up the backup request/);
    expect(await readdir(path.join(dataDir, 'backup-requests'))).toEqual([]);
  });

  it('refuses an output inside the data directory (it would be copied into every later backup)', async () => {
    const dataDir = path.join(scratch, 'inside');
    await expect(requestBackupFromBot({ dataDir, output: path.join(dataDir, 'b.tar.gz') })).rejects.toThrow(
      /inside the data directory/,
    );
  });
});
