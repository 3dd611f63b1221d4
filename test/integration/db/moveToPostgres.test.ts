// `npm run db:move-to-postgres`, run as the real command: the embedded database in DATA_DIR is copied into an
// empty PostgreSQL database, every row arrives unchanged (generated search vectors included), sequences carry
// on after the copied ids, and the command refuses while the data directory is in use or the target has rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../src/db/createDatabase.js';
import type { Database } from '../../../src/db/Database.js';
import { openPgliteDatabase } from '../../../src/db/openPgliteDatabase.js';
import { moveToPostgres } from '../../../src/db/backup/moveToPostgres.js';
import { createTestPostgresDatabase, migratedPgliteTemplate, testLogger } from '../../support/databases.js';
import {
  seedOperationalData,
  snapshotOperationalData,
  type OperationalSnapshot,
} from '../../support/operationalData.js';
import { PROCESS_TEST_TIMEOUT_MS, runScript } from '../../support/runCommand.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tcs-move-'));
const dataDir = path.join(scratch, 'data');

async function searchVectors(db: Database): Promise<string[]> {
  const rows = await db.sql.query<{ v: string }>('SELECT search_vector::text AS v FROM clips ORDER BY id');
  return rows.map((row) => row.v);
}

describe('moving the embedded database to PostgreSQL', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let target: { url: string; drop(): Promise<void> };
  let original: OperationalSnapshot;
  let originalVectors: string[];

  beforeAll(async () => {
    // From the migrated template: skips initdb and the migrations (seconds of CPU on a busy machine).
    const source = await openPgliteDatabase({
      dataDir,
      initialData: await migratedPgliteTemplate(),
      logger: testLogger(),
    });
    try {
      await seedOperationalData(source);
      original = await snapshotOperationalData(source);
      originalVectors = await searchVectors(source);
    } finally {
      await source.close();
    }
    target = await createTestPostgresDatabase();
  }, PROCESS_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await target?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses while the data directory is in use (the bot is running), copying nothing', async () => {
    const holder = await openPgliteDatabase({ dataDir, logger: testLogger() });
    try {
      await expect(
        moveToPostgres({ dataDir, databaseUrl: target.url, logger: testLogger() }),
      ).rejects.toThrow(/Stop the bot before moving/);
    } finally {
      await holder.close();
    }
  });

  it('copies every row and reports matching counts per table', async () => {
    const move = await runScript('src/db/backup/moveToPostgresCli.ts', {
      env: { DATA_DIR: dataDir, DATABASE_URL: target.url, LOG_LEVEL: 'warn' },
      cwd: scratch,
    });
    expect(move.code, move.stderr).toBe(0);
    expect(move.stdout).toMatch(/clips\s+30 → 30/);
    expect(move.stdout).toMatch(/deliveries\s+30 → 30/);
    expect(move.stdout).toMatch(/subscriptions\s+2 → 2/);

    const moved = await createDatabase({ databaseUrl: target.url, poolSize: 1, logger: testLogger() });
    try {
      expect(original.clips).toHaveLength(30);
      expect(await snapshotOperationalData(moved)).toEqual(original);
      expect(await searchVectors(moved)).toEqual(originalVectors);
      // New rows get ids after the moved ones instead of colliding with them.
      const [event] = await moved.sql.query<{ id: string }>(
        `INSERT INTO clip_events (kind, clip_id, broadcaster_id) VALUES ('discovered', 'x', '1') RETURNING id`,
      );
      const highest = Math.max(...original.clipEvents.map((row) => Number((row as { id: bigint }).id)));
      expect(Number(event!.id)).toBeGreaterThan(highest);
    } finally {
      await moved.close();
    }
  });

  it('refuses a target that already has rows', async () => {
    await expect(moveToPostgres({ dataDir, databaseUrl: target.url, logger: testLogger() })).rejects.toThrow(
      /already has rows \(.*clips: 30.*\).*nothing was copied/,
    );
  });
});
