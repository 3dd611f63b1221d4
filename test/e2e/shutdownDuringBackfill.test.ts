// SIGTERM while the sync is busy: backfills and polls waiting on Twitch calls that hang (and more queued
// behind them in the Helix limiter). The bot must cancel that work rather than wait for it, close the embedded
// database (its data-directory lock is gone afterwards) and exit 0 within the 10 s an orchestrator allows.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/createDatabase.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { trackChannel } from '../../src/sync/trackChannel.js';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { testLogger } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/redisServer.js';

const CHANNELS = 12;

describe('stopping the bot in the middle of a backfill', () => {
  let discord: FakeDiscord;
  let twitch: FakeTwitch;
  let dataDir: string;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    twitch = await startFakeTwitch({ clipVisibilityDelayMs: 0 });
    dataDir = await mkdtemp(path.join(tmpdir(), 'tcs-shutdown-'));
    const db = await createDatabase({ dataDir, logger: testLogger() });
    await applyMigrations({ sql: db.sql, logger: testLogger() });
    const now = new Date();
    for (let i = 0; i < CHANNELS; i += 1) {
      const user = twitch.addBroadcaster({ login: `busychannel${i}`, createdAt: '2019-01-01T00:00:00Z' });
      await trackChannel({
        sql: db.sql,
        twitch: undefined as never, // not called: the user is given
        broadcasterId: user.id,
        reason: 'subscription',
        now,
        clipsEpoch: new Date('2016-05-01T00:00:00Z'),
        user: {
          id: user.id,
          login: user.login,
          displayName: user.login,
          profileImageUrl: null,
          broadcasterType: '',
          createdAt: new Date('2019-01-01T00:00:00Z'),
        },
      });
    }
    await db.close();
    // Every Get Clips call hangs far longer than the shutdown deadline.
    twitch.injectFault('clips', { kind: 'latency', ms: 60_000 }, 500);
  }, 120_000);

  afterAll(async () => {
    if (bot) await bot.stop('SIGKILL');
    await discord?.close();
    await twitch?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'cancels the waiting Twitch calls, closes the database and exits 0 within 10 s',
    { timeout: 120_000 },
    async () => {
      const env = botEnvForFakes(discord, twitch, {
        DATA_DIR: dataDir,
        ADMIN_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      });
      bot = startBotProcess({ env });
      await bot.waitForLog((line) => line.msg === 'Clip sync started', 90_000);
      // Backfills and polls are waiting on Get Clips (twurple sends a few at a time; the rest queue behind).
      await eventually(
        async () => twitch.callCount('clips') >= 2 || undefined,
        30_000,
        'Get Clips calls in flight',
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      const { code, ms } = await bot.stop('SIGTERM');
      const log = bot.logs;
      expect(
        log.some((line) => line.msg === 'stopped' && line.step === 'database'),
        JSON.stringify(log.filter((line) => line.step !== undefined)),
      ).toBe(true);
      expect(log.map((line) => line.msg)).toContain('embedded PGlite database closed');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
      await expect(readFile(path.join(dataDir, 'twitch-clip-search.lock'))).rejects.toThrow(/ENOENT/);
    },
  );
});
