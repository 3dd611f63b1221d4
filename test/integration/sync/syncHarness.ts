// Shared setup for the sync integration tests: a fake Twitch on loopback (twurple pointed at it through
// TWURPLE_MOCK_API_PORT), an own PostgreSQL database, the real adapter and limiter, and ClipSync
// instances whose clock is the fake's clock so simulated time drives both sides.
import { Registry } from 'prom-client';
import { startFakeTwitch, type FakeTwitch, type FakeTwitchOptions } from '../../fakes/twitch/index.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import type { Database } from '../../../src/db/Database.js';
import { createClipSync, type ClipSync, type ClipSyncOptionsInput } from '../../../src/sync/ClipSync.js';
import { createHelixLimiter, type HelixLimiter } from '../../../src/twitch/helixLimiter.js';
import { createTwitchAdapter } from '../../../src/twitch/TwitchAdapter.js';
import type { TwitchAdapter } from '../../../src/twitch/twitchTypes.js';

export interface SyncHarness {
  fake: FakeTwitch;
  db: Database;
  registry: Registry;
  limiters: HelixLimiter[];
  newAdapter(options?: {
    clientSecret?: string;
    timeoutMs?: number;
    requestTimeoutMs?: number;
  }): TwitchAdapter;
  newSync(options?: ClipSyncOptionsInput, adapter?: TwitchAdapter): ClipSync;
  close(): Promise<void>;
}

export async function startSyncHarness(fakeOptions: FakeTwitchOptions = {}): Promise<SyncHarness> {
  const fake = await startFakeTwitch({ now: '2024-06-01T12:00:00Z', ...fakeOptions });
  process.env.TWURPLE_MOCK_API_PORT = String(fake.port);
  const { db, cleanup } = await openTestDatabase(
    process.env.SYNC_TEST_DB === 'pglite' ? 'pglite' : 'postgres',
  );
  const registry = new Registry();
  const logger = testLogger();
  const limiters: HelixLimiter[] = [];
  const syncs: ClipSync[] = [];
  const harness: SyncHarness = {
    fake,
    db,
    registry,
    limiters,
    newAdapter(options = {}) {
      const limiter = createHelixLimiter({
        budgetPerMinute: 60_000,
        maxConcurrent: 8,
        timeoutMs: options.timeoutMs ?? 20_000,
      });
      limiters.push(limiter);
      return createTwitchAdapter({
        clientId: fake.clientId,
        clientSecret: options.clientSecret ?? fake.clientSecret,
        logger,
        limiter,
        registry,
        requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      });
    },
    newSync(options = {}, adapter) {
      const sync = createClipSync({
        db,
        twitch: adapter ?? harness.newAdapter(),
        logger,
        registry,
        clock: () => fake.clock.nowDate(),
        options,
      });
      syncs.push(sync);
      return sync;
    },
    async close() {
      await Promise.all(syncs.map((sync) => sync.stop()));
      await Promise.all(limiters.map((limiter) => limiter.stop()));
      await fake.close();
      await cleanup();
    },
  };
  return harness;
}

/** Runs `step` until it reports no work (or `maxRounds`), returning how many rounds did work. */
export async function drain(step: () => Promise<number>, maxRounds = 500): Promise<number> {
  let rounds = 0;
  while (rounds < maxRounds && (await step()) > 0) rounds += 1;
  return rounds;
}

export async function countClips(db: Database, broadcasterId: string): Promise<number> {
  const [row] = await db.sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM clips WHERE broadcaster_id = $1`,
    [broadcasterId],
  );
  return Number(row?.n ?? 0);
}
