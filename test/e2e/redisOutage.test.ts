// Redis holds only what may be lost (cache, shared Twitch budget), so losing it must not stop the bot: it
// answers commands, keeps calling Twitch on a local budget, reports the cache down on /readyz while staying
// ready (the cache is optional), and picks Redis up again when it returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { seedDemoData, startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { createTestPostgresDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { freePort, RedisServer } from '../support/redisServer.js';

interface ReadyReport {
  status: string;
  checks: Record<string, { status: string }>;
}

async function readiness(adminUrl: string): Promise<{ code: number; report: ReadyReport }> {
  const response = await fetch(`${adminUrl}/readyz`);
  return { code: response.status, report: (await response.json()) as ReadyReport };
}

describe('the bot when Redis goes away and comes back', () => {
  let discord: FakeDiscord;
  let twitch: FakeTwitch;
  let redis: RedisServer;
  let database: { url: string; drop(): Promise<void> };
  let bot: BotProcess;
  let adminUrl: string;

  beforeAll(async () => {
    [discord, twitch, database] = await Promise.all([
      startFakeDiscord(),
      startFakeTwitch(),
      createTestPostgresDatabase(),
    ]);
    seedDemoData(twitch);
    redis = new RedisServer(await freePort());
    await redis.start();
    bot = startBotProcess({
      env: botEnvForFakes(discord, twitch, {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        ADMIN_PORT: '0',
      }),
    });
    adminUrl = String((await bot.waitForLog((line) => line.msg === 'admin server listening', 60_000)).url);
    await eventually(
      async () => ((await readiness(adminUrl)).code === 200 ? true : undefined),
      30_000,
      'ready',
    );
  });

  afterAll(async () => {
    if (bot) await bot.stop('SIGKILL');
    await redis?.stop();
    await discord?.close();
    await twitch?.close();
    await database?.drop();
  });

  it('keeps answering commands and calling Twitch while Redis is down, and says so on /readyz', async () => {
    await redis.stop();

    const { code, report } = await eventually(
      async () => {
        const result = await readiness(adminUrl);
        return result.report.checks.cache?.status === 'down' ? result : undefined;
      },
      15_000,
      '/readyz to report the cache down',
    );
    expect(code).toBe(200);
    expect(report.checks.database?.status).toBe('up');

    const about = await discord.interact.slashCommand({ name: 'help' }).finalMessage();
    expect((about.embeds as Array<{ title: string }>)[0]!.title).toBe('TwitchClipSearch');

    // Channel autocomplete goes to Twitch through the Helix limiter, whose shared budget lives in Redis.
    const choices = await discord.interact
      .autocomplete({
        name: 'clips',
        subcommand: 'search',
        options: { channel: 'speedy' },
        focused: 'channel',
      })
      .autocompleteChoices();
    expect(choices.map((choice) => choice.value)).toContain('100000101');

    const search = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'search', options: { text: 'clutch' } })
      .finalMessage();
    expect((search.embeds as Array<{ title: string }>)[0]!.title).toBe('Clips matching “clutch”');
  });

  it('uses Redis again once it is back', async () => {
    await redis.start();
    await eventually(
      async () => ((await readiness(adminUrl)).report.checks.cache?.status === 'up' ? true : undefined),
      20_000,
      '/readyz to report the cache up again',
    );
    expect(bot.child.exitCode).toBeNull();
    const { code } = await bot.stop('SIGTERM');
    expect(code).toBe(0);
  });
});
