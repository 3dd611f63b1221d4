// The first end-to-end test: the real bot (src/main.ts, unmodified discord.js and twurple inside) as a child
// process, configured only through its environment to talk to the fake Discord and fake Twitch over loopback,
// with real PostgreSQL and Redis. It walks an operator's first day: start, readiness, command deployment, a
// dropped gateway connection, an expired Twitch token, a search, and a graceful stop.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenKeyring, decryptToken } from '../../src/twitch/linking/tokenCipher.js';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { seedDemoData, startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { createTestPostgresDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import {
  exportedMetricFamilies,
  familyOf,
  metricsInCatalogue,
  metricsNamedByAlertRules,
  metricsNamedByDashboard,
} from '../support/monitoringFiles.js';
import { freePort } from '../support/redisServer.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface ReadyReport {
  status: string;
  checks: Record<string, { status: string; required: boolean; detail?: string }>;
}

/**
 * How long a test waits for the bot's answer to an interaction. Discord's real deadline is the 3 s window to
 * acknowledge, which the fake enforces: a later callback is refused (10062), so a late bot never produces an
 * answer and the wait fails. How long the answer takes after a timely acknowledgement on a loaded machine is
 * no contract; the wait helpers' 5 s default was a deadline of the test's own and failed the first /help
 * under load.
 */
const ANSWER_WAIT_MS = 20_000;

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

describe('the bot against the fake Discord and fake Twitch', () => {
  let discord: FakeDiscord;
  let twitch: FakeTwitch;
  let database: { url: string; drop(): Promise<void> };
  let bot: BotProcess;
  let adminUrl: string;
  let env: Record<string, string>;
  let linkedRefreshToken = '';

  beforeAll(async () => {
    discord = await startFakeDiscord();
    twitch = await startFakeTwitch();
    seedDemoData(twitch);
    database = await createTestPostgresDatabase();
    const adminPort = await freePort();
    env = botEnvForFakes(discord, twitch, {
      DATABASE_URL: database.url,
      REDIS_URL,
      ADMIN_PORT: String(adminPort),
      PUBLIC_URL: `http://127.0.0.1:${adminPort}`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
    });
    bot = startBotProcess({ env });
    const listening = await bot.waitForLog((line) => line.msg === 'admin server listening', 60_000);
    adminUrl = String(listening.url);
  });

  afterAll(async () => {
    if (bot) await bot.stop('SIGKILL');
    await discord?.close();
    await twitch?.close();
    await database?.drop();
  });

  it('connects to the gateway and reports every dependency up on /readyz', { timeout: 60_000 }, async () => {
    // Started before the bot has logged in: proves the wait sees the session arrive, not just one already there.
    await discord.waitForGatewaySession(30_000);
    let lastReport: ReadyReport | undefined;
    const report = await eventually(
      async () => {
        const { status, body } = await getJson<ReadyReport>(`${adminUrl}/readyz`);
        lastReport = body;
        return status === 200 ? body : undefined;
      },
      20_000,
      '/readyz to answer 200',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last report: ${JSON.stringify(lastReport)}`);
    });
    expect(report.status).toBe('ready');
    expect(discord.gateway.handshakes.filter((handshake) => handshake.op === 'identify')).toHaveLength(1);
    for (const dependency of ['database', 'cache', 'discord', 'twitch']) {
      expect(report.checks[dependency], dependency).toMatchObject({ status: 'up' });
    }
    const health = await fetch(`${adminUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    expect(metrics).toContain('# TYPE tcs_discord_interactions_total counter');
    expect(metrics).toContain('process_cpu_seconds_total');
  });

  it('registers the command set with deploy-commands, and the fake accepts it', async () => {
    const deploy = startBotProcess({ env, script: 'deploy-commands.ts' });
    const { code } = await deploy.exited();
    expect(code, deploy.stderr()).toBe(0);
    const output = deploy.logs.map((line) => line.msg).join('\n');
    expect(output).toMatch(/Registered 6 commands for guild/);
    // The first deployment adds every command; deploy-commands says so, one line each.
    expect(output).toContain('+ /clips (new)');
    expect(output).toContain('+ /help (new)');
    const names = discord.commands(discord.fixtures.guild.id).map((command) => command.name);
    expect(names.sort()).toEqual(['clips', 'favorites', 'help', 'settings', 'subscriptions', 'twitch']);
  });

  it('answers a slash command through the real interaction flow', async () => {
    const message = await discord.interact.slashCommand({ name: 'help' }).finalMessage(ANSWER_WAIT_MS);
    const embeds = message.embeds as Array<{ title: string; fields: Array<{ name: string }> }>;
    expect(embeds[0]!.title).toBe('TwitchClipSearch');
    expect(embeds[0]!.fields.map((field) => field.name)).toContain('Clips indexed');
  });

  it('resumes its gateway session after the socket is killed', async () => {
    const resumesBefore = discord.gateway.handshakes.filter((h) => h.op === 'resume').length;
    discord.dropConnection();
    await eventually(
      async () =>
        discord.gateway.handshakes.filter((h) => h.op === 'resume').length > resumesBefore ? true : undefined,
      30_000,
      'a RESUME handshake',
    );
    await discord.waitForGatewaySession(30_000);
    // Interactions still reach the bot on the resumed session.
    const message = await discord.interact.slashCommand({ name: 'help' }).finalMessage(ANSWER_WAIT_MS);
    expect(message.embeds).toHaveLength(1);
  });

  it('refreshes an expired Twitch token and still answers channel autocomplete from Twitch', async () => {
    const autocompleteChannel = async (text: string) =>
      discord.interact
        .autocomplete({ name: 'clips', subcommand: 'recent', options: { channel: text }, focused: 'channel' })
        .autocompleteChoices(ANSWER_WAIT_MS);
    // Channels no earlier run has searched for: the bot keeps Twitch's channel-search answers in the shared
    // Redis for a minute, and an answer from there never reaches Twitch (no token fetched, no 401 to refresh).
    const run = randomBytes(4).toString('hex');
    const before = twitch.addBroadcaster({ login: `tokenbefore${run}` });
    const after = twitch.addBroadcaster({ login: `tokenafter${run}` });
    // The first Twitch lookup makes the bot fetch its app token.
    expect((await autocompleteChannel(before.login)).map((choice) => choice.value)).toContain(before.id);
    const tokensBefore = twitch.requests('auth/token').length;
    expect(twitch.expireAllTokens()).toBeGreaterThan(0);

    const choices = await autocompleteChannel(after.login);
    expect(choices.map((choice) => choice.value)).toContain(after.id);
    const afterExpiry = twitch.requests().filter((request) => request.at >= Date.now() - 10_000);
    expect(afterExpiry.some((r) => r.endpoint === 'search/channels' && r.status === 401)).toBe(true);
    const newTokens = twitch.requests('auth/token').slice(tokensBefore);
    expect(newTokens.some((request) => request.status === 200)).toBe(true);
  });

  it('searches a channel typed by name, which starts indexing it', async () => {
    const reply = discord.interact.slashCommand({
      name: 'clips',
      subcommand: 'recent',
      options: { channel: 'chattykat' },
    });
    const message = await reply.finalMessage(ANSWER_WAIT_MS);
    const embeds = message.embeds as Array<{ title: string }>;
    expect(embeds[0]!.title).toBe('Newest clips of ChattyKat');
    const status = await eventually(
      async () => {
        const lines = bot.logs.filter((line) => line.broadcasterId === '100000102');
        return lines.length > 0 ? lines : undefined;
      },
      30_000,
      'the sync to log work on the searched channel',
    );
    expect(status.length).toBeGreaterThan(0);
  });

  it(
    "indexes the searched channel's history so its clips become searchable by title",
    { timeout: 60_000 },
    async () => {
      const status = await eventually(
        async () => {
          const message = await discord.interact
            .slashCommand({ name: 'twitch', subcommand: 'status', options: { channel: '100000102' } })
            .finalMessage(ANSWER_WAIT_MS);
          const content = String(message.content);
          // The whole history, not a partial "2020–2026 done" that may still be short of clips.
          return content.includes('history complete') ? content : undefined;
        },
        45_000,
        '/twitch status to report the history complete',
      );
      expect(status).toMatch(/indexed 150 clips/);

      // Typed by name instead of picked from autocomplete: resolved through Twitch.
      const byName = await discord.interact
        .slashCommand({ name: 'twitch', subcommand: 'status', options: { channel: 'chattykat' } })
        .finalMessage(ANSWER_WAIT_MS);
      if (!String(byName.content).includes('indexed 150 clips')) {
        console.log(bot.logs.filter((line) => line.level === 'error' || line.level === 'warn'));
      }
      expect(byName.content).toContain('**ChattyKat**: indexed 150 clips');

      const message = await discord.interact
        .slashCommand({
          name: 'clips',
          subcommand: 'search',
          options: { text: 'chattykat', channel: '100000102', sort: 'views' },
        })
        .finalMessage(ANSWER_WAIT_MS);
      const embed = (message.embeds as Array<{ description: string; footer: { text: string } }>)[0]!;
      expect(embed.footer.text).toBe('150 clips · page 1');
      expect(embed.description.split('\n')).toHaveLength(10);
      expect(embed.description).toContain('ChattyKat');

      const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/tcs_search_requests_total\{mode="exact",source="database"\} [1-9]/);
      expect(metrics).toMatch(/tcs_search_database_duration_seconds_count\{mode="exact"\} [1-9]/);
    },
  );

  it("searches a channel picked from Twitch's channel search by its id, unknown to the bot until then", async () => {
    // Autocomplete offers channels from Twitch's search with their user id as the value.
    const choices = await discord.interact
      .autocomplete({
        name: 'clips',
        subcommand: 'search',
        options: { channel: 'twitchd' },
        focused: 'channel',
      })
      .autocompleteChoices(ANSWER_WAIT_MS);
    expect(choices.map((choice) => choice.value)).toContain('141981764');
    const message = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'recent', options: { channel: '141981764' } })
      .finalMessage(ANSWER_WAIT_MS);
    expect((message.embeds as Array<{ title: string }>)[0]!.title).toBe('Newest clips of TwitchDev');
  });

  it("links a broadcaster's Twitch account with /twitch link and subscribes to their go-live events", async () => {
    const message = await discord.interact
      .slashCommand({ name: 'twitch', subcommand: 'link' })
      .finalMessage(ANSWER_WAIT_MS);
    const link = String((message.embeds as Array<{ url: string }>)[0]!.url);
    expect(link.startsWith(`${env.PUBLIC_URL}/auth/twitch/start?link=`)).toBe(true);

    // The broadcaster opens the link; the fake Twitch approves as twitchdev and redirects back to the bot.
    twitch.setAuthorizingUser('141981764');
    const start = await fetch(link, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    // The browser returns the cookie the start page set: the callback only completes for that browser.
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const callback = await fetch(authorize.headers.get('location')!, { headers: { cookie } });
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('Twitch account linked');

    const subscription = await eventually(
      async () =>
        twitch
          .eventSubSubscriptions()
          .find((s) => s.type === 'stream.online' && s.condition.broadcaster_user_id === '141981764'),
      20_000,
      'a stream.online subscription for the linked broadcaster',
    );
    expect(subscription.cost).toBe(0);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{
        twitch_user_id: string;
        login: string;
        encrypted_refresh_token: string;
      }>('SELECT twitch_user_id, login, encrypted_refresh_token FROM twitch_accounts');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.login).toBe('twitchdev');
      // Stored encrypted with TOKEN_ENCRYPTION_KEY: the row decrypts to a refresh token that is not in it.
      linkedRefreshToken = decryptToken(
        rows[0]!.encrypted_refresh_token,
        createTokenKeyring(Buffer.from(env.TOKEN_ENCRYPTION_KEY!, 'base64')),
        rows[0]!.twitch_user_id,
      );
      expect(linkedRefreshToken.length).toBeGreaterThan(10);
      expect(rows[0]!.encrypted_refresh_token).not.toContain(linkedRefreshToken);
    } finally {
      await client.end();
    }
  });

  it('exports every metric the dashboard and the alert rules use, and the catalogue lists every one it exports', async () => {
    const exported = exportedMetricFamilies(await (await fetch(`${adminUrl}/metrics`)).text());
    const missing = (names: string[]) => names.filter((name) => !exported.has(familyOf(name, exported)));
    const dashboard = metricsNamedByDashboard();
    const rules = metricsNamedByAlertRules();
    // Guards against the name extraction silently finding nothing.
    expect(dashboard.length).toBeGreaterThan(20);
    expect(rules.length).toBeGreaterThan(5);
    expect(missing(dashboard)).toEqual([]);
    expect(missing(rules)).toEqual([]);
    const catalogue = metricsInCatalogue();
    expect([...exported].filter((name) => name.startsWith('tcs_') && !catalogue.has(name))).toEqual([]);
  });

  it('stops gracefully on SIGTERM within 10 s with exit code 0', async () => {
    const { code, ms } = await bot.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    const messages = bot.logs.map((line) => line.msg);
    expect(messages).toContain('shutdown complete');
    for (const step of ['eventsub', 'clip sync', 'discord gateway', 'admin http', 'cache', 'database']) {
      expect(
        bot.logs.some((line) => line.msg === 'stopped' && line.step === step),
        step,
      ).toBe(true);
    }
    // No secret reached the logs.
    const output = JSON.stringify(bot.logs) + bot.stderr();
    expect(output).not.toContain(discord.token);
    expect(output).not.toContain(twitch.clientSecret);
    expect(linkedRefreshToken).not.toBe('');
    expect(output).not.toContain(linkedRefreshToken);
  });
});
