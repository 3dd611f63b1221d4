// An admin's day with subscriptions, end to end: the real bot process (discord.js and twurple unmodified)
// against the fake Discord and fake Twitch, with real PostgreSQL. Commands registered by deploy-commands;
// /subscriptions add → list → pause → resume → remove; who may manage (Manage Server or the manager role,
// checked by the bot, refusals ephemeral and changing nothing); the quota; guild-only; /settings; and the
// guilds table following the bot joining and leaving servers.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { guildJson, type FakeUser } from '../fakes/discord/fixtures.js';
import { seedDemoData, startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { createTestPostgresDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/redisServer.js';

type Json = Record<string, unknown>;
const EPHEMERAL = 64;
const MANAGE_GUILD = 1n << 5n;

describe('subscriptions and settings through the real bot', () => {
  let discord: FakeDiscord;
  let twitch: FakeTwitch;
  let database: { url: string; drop(): Promise<void> };
  let db: pg.Client;
  let bot: BotProcess;

  const query = async <T extends Json>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await db.query<T>(sql, params)).rows;
  const subscriptionRows = () =>
    query<{
      id: string;
      broadcaster_id: string;
      discord_channel_id: string;
      paused: boolean;
      keywords: string[];
    }>(
      'SELECT id::text, broadcaster_id, discord_channel_id, paused, keywords, min_views FROM subscriptions ORDER BY created_at',
    );
  /** The choices the bot offers for `option` of `/subscriptions <subcommand>` while `user` types `typed`. */
  const autocomplete = (subcommand: string, option: string, typed: string, user: FakeUser) =>
    discord.interact
      .autocomplete({
        name: 'subscriptions',
        subcommand,
        options: { [option]: typed },
        focused: option,
        user,
      })
      .autocompleteChoices();
  const ownerRun = (subcommand: string, options: Record<string, string | number | boolean> = {}) =>
    discord.interact.slashCommand({
      name: 'subscriptions',
      subcommand,
      options,
      user: discord.fixtures.owner,
    });

  beforeAll(async () => {
    discord = await startFakeDiscord();
    twitch = await startFakeTwitch();
    seedDemoData(twitch);
    database = await createTestPostgresDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const env = botEnvForFakes(discord, twitch, {
      DATABASE_URL: database.url,
      ADMIN_PORT: String(await freePort()),
      SUBSCRIPTIONS_PER_GUILD: '2',
      LOG_LEVEL: 'info',
    });
    const deploy = startBotProcess({ env, script: 'deploy-commands.ts' });
    const { code } = await deploy.exited();
    expect(code, deploy.stderr()).toBe(0);
    bot = startBotProcess({ env });
    await bot.waitForLog((line) => line.msg === 'discord gateway ready', 60_000);
    await discord.waitForGatewaySession(30_000);
  }, 90_000);

  afterAll(async () => {
    if (bot) await bot.stop('SIGKILL');
    await db?.end();
    await discord?.close();
    await twitch?.close();
    await database?.drop();
  });

  it('registers /subscriptions and /settings as guild-only commands hidden from non-managers by default', () => {
    const registered = discord.commands(discord.fixtures.guild.id);
    for (const name of ['subscriptions', 'settings']) {
      const command = registered.find((candidate) => candidate.name === name);
      expect(command, name).toMatchObject({
        contexts: [0],
        default_member_permissions: String(MANAGE_GUILD),
      });
    }
    const subscriptions = registered.find((command) => command.name === 'subscriptions')!;
    const subcommands = (subscriptions.options as Json[]).map((option) => option.name);
    expect(subcommands).toEqual(['add', 'list', 'remove', 'pause', 'resume', 'test']);
    const add = (subscriptions.options as Json[])[0]!.options as Json[];
    expect(add[0]).toMatchObject({ name: 'channel', required: true, autocomplete: true });
    expect(add[1]).toMatchObject({ name: 'post_in', type: 7, channel_types: [0, 5, 15, 11, 12, 10] });
  });

  it('records the guilds it is in when it connects', async () => {
    const [row] = await eventually(
      async () => {
        const rows = await query<{ name: string; left_at: Date | null }>(
          'SELECT name, left_at FROM guilds WHERE id = $1',
          [discord.fixtures.guild.id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      15_000,
      'the fixture guild in the guilds table',
    );
    expect(row).toMatchObject({ name: 'Clip Fans', left_at: null });
  });

  it('adds a subscription with normalised filters, posting in the chosen channel, and tracks the Twitch channel', async () => {
    const reply = ownerRun('add', {
      channel: 'https://www.twitch.tv/speedyrunner',
      post_in: discord.fixtures.clips.id,
      keywords: 'Pokémon, CLUTCH',
      min_views: 5,
    });
    expect(await reply.callback()).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const message = await reply.finalMessage();
    const description = String((message.embeds as Json[])[0]!.description);
    expect(description).toContain('**SpeedyRunner**');
    expect(description).toContain(`<#${discord.fixtures.clips.id}>`);
    expect(description).toContain('pokemon, clutch');
    const edit = discord.findRequests('PATCH /webhooks/:app/:token/messages/@original').at(-1)!;
    expect((edit.body as Json).allowed_mentions).toEqual({ parse: [] });

    const rows = await subscriptionRows();
    expect(rows).toEqual([
      expect.objectContaining({
        broadcaster_id: '100000101',
        discord_channel_id: discord.fixtures.clips.id,
        keywords: ['pokemon', 'clutch'],
        paused: false,
      }),
    ]);
    const tracked = await query<{ reason: string }>(
      'SELECT reason FROM tracked_channels WHERE broadcaster_id = $1',
      ['100000101'],
    );
    expect(tracked).toEqual([{ reason: 'subscription' }]);
  });

  it('posts in the current channel by default and stops at the quota with a clear message', async () => {
    // Picked from autocomplete this time: the option's value is the Twitch user id.
    const picked = await autocomplete('add', 'channel', 'chatty', discord.fixtures.owner);
    expect(picked.map((choice) => choice.value)).toContain('100000102');
    const second = discord.interact.slashCommand({
      name: 'subscriptions',
      subcommand: 'add',
      options: { channel: '100000102' },
      channelId: discord.fixtures.general.id,
      user: discord.fixtures.owner,
    });
    await second.finalMessage();
    expect((await subscriptionRows()).map((row) => row.discord_channel_id)).toEqual([
      discord.fixtures.clips.id,
      discord.fixtures.general.id,
    ]);

    // A voice channel's chat cannot take clip posts: refused before anything happens.
    const voice = discord.addChannel(discord.fixtures.guild.id, { name: 'Voice', type: 2 });
    const fromVoice = await discord.interact
      .slashCommand({
        name: 'subscriptions',
        subcommand: 'add',
        options: { channel: 'twitchdev' },
        channelId: voice.id,
        user: discord.fixtures.owner,
      })
      .callback();
    expect(fromVoice).toMatchObject({
      type: 4,
      data: {
        flags: EPHEMERAL,
        content: expect.stringMatching(/^Clips cannot be posted in this kind of channel/),
      },
    });

    const third = ownerRun('add', { channel: 'twitchdev' });
    const refusal = await third.finalMessage();
    expect(Number(refusal.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toMatch(/already has 2 subscriptions, the most it may have \(2\)/);
    expect(await subscriptionRows()).toHaveLength(2);
  });

  it('lists every subscription with its channel, filters and state', async () => {
    const reply = ownerRun('list');
    expect(await reply.callback()).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    const embeds = (await reply.finalMessage()).embeds as Array<{
      title?: string;
      fields: Array<{ name: string; value: string }>;
    }>;
    expect(embeds[0]!.title).toBe('Clip subscriptions (2 of 2)');
    const fields = embeds.flatMap((embed) => embed.fields);
    expect(fields.map((field) => field.name)).toEqual(['SpeedyRunner', 'ChattyKat']);
    expect(fields[0]!.value).toContain('at least 5 views');
    expect(fields[0]!.value).toContain('nothing posted yet');
    expect(fields[1]!.value).toContain('every new clip');
  });

  it('posts a sample where a subscription posts, and says what to fix when the bot may not post there', async () => {
    const clipsChannel = discord.fixtures.clips.id;
    // Real clip posts may arrive in the same channel meanwhile: count only samples.
    const samples = () =>
      discord
        .messagesIn(clipsChannel)
        .filter((m) => JSON.stringify(m.embeds).includes('new clips of SpeedyRunner will look like this'));
    const done = await ownerRun('test', { subscription: 'speedyrunner' }).finalMessage();
    expect(Number(done.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(done.content).toMatch(/^Posted a sample of how clips of \*\*SpeedyRunner\*\* will look/);
    expect(samples(), JSON.stringify(discord.messagesIn(clipsChannel).slice(-3))).toHaveLength(1);
    expect(JSON.stringify(samples()[0]!.embeds)).toContain('SpeedyRunner');

    discord.setChannelAccess(clipsChannel, 'missing-permissions');
    try {
      const refused = await ownerRun('test', { subscription: 'speedyrunner' }).finalMessage();
      expect(Number(refused.flags) & EPHEMERAL).toBe(EPHEMERAL);
      expect(refused.content).toContain(`I cannot post in <#${clipsChannel}> (Missing Permissions (50013))`);
      expect(samples()).toHaveLength(1);
    } finally {
      discord.setChannelAccess(clipsChannel, 'ok');
    }
  });

  it('posts as the streamer through a webhook that the test creates, and says when Manage Webhooks is missing', async () => {
    const clipsChannel = discord.fixtures.clips.id;
    const switched = await ownerRun('add', {
      channel: 'speedyrunner',
      post_in: clipsChannel,
      post_as: 'webhook',
    }).finalMessage();
    expect(JSON.stringify(switched.embeds)).toContain('posted as the streamer (webhook)');
    const listed = await ownerRun('list').finalMessage();
    expect(JSON.stringify(listed.embeds)).toContain('posted as the streamer (webhook)');

    discord.setWebhookPermission(clipsChannel, false);
    try {
      const refused = await ownerRun('test', { subscription: 'speedyrunner' }).finalMessage();
      expect(refused.content).toContain('Give the bot Manage Webhooks there');
      expect(discord.webhooksIn(clipsChannel)).toHaveLength(0);
    } finally {
      discord.setWebhookPermission(clipsChannel, true);
    }
    const done = await ownerRun('test', { subscription: 'speedyrunner' }).finalMessage();
    expect(done.content).toMatch(/^Posted a sample of how clips of \*\*SpeedyRunner\*\* will look/);
    const [webhook] = discord.webhooksIn(clipsChannel);
    expect(webhook).toBeDefined();
    const sample = discord.messagesIn(clipsChannel).at(-1)!;
    expect(sample).toMatchObject({ webhook_id: webhook!.id, author: { username: 'SpeedyRunner' } });
    // A second test reuses the webhook.
    await ownerRun('test', { subscription: 'speedyrunner' }).finalMessage();
    expect(discord.webhooksIn(clipsChannel)).toHaveLength(1);
    await ownerRun('add', { channel: 'speedyrunner', post_in: clipsChannel, post_as: 'bot' }).finalMessage();
  });

  it('pauses and resumes a subscription typed by channel name, and removes one picked from autocomplete', async () => {
    const paused = await ownerRun('pause', { subscription: 'speedyrunner' }).finalMessage();
    expect(paused.content).toMatch(/^Paused: clips of \*\*SpeedyRunner\*\*/);
    expect((await subscriptionRows())[0]!.paused).toBe(true);

    const resumed = await ownerRun('resume', { subscription: 'speedyrunner' }).finalMessage();
    expect(resumed.content).toMatch(/^Resumed/);
    expect((await subscriptionRows())[0]!.paused).toBe(false);

    const choices = await autocomplete('remove', 'subscription', 'chat', discord.fixtures.owner);
    expect(choices).toEqual([{ name: 'ChattyKat → #general', value: (await subscriptionRows())[1]!.id }]);
    const removed = await ownerRun('remove', { subscription: String(choices[0]!.value) }).finalMessage();
    expect(removed.content).toMatch(/^Removed: clips of \*\*ChattyKat\*\*/);
    expect((await subscriptionRows()).map((row) => row.broadcaster_id)).toEqual(['100000101']);
  });

  it('refuses a member without Manage Server, ephemerally and without changing anything', async () => {
    const before = await subscriptionRows();
    for (const [subcommand, options] of [
      ['add', { channel: 'twitchdev' }],
      ['pause', { subscription: 'speedyrunner' }],
      ['remove', { subscription: 'speedyrunner' }],
      ['list', {}],
    ] as const) {
      const reply = discord.interact.slashCommand({
        name: 'subscriptions',
        subcommand,
        options,
        user: discord.fixtures.member,
      });
      expect(await reply.callback(), subcommand).toMatchObject({
        type: 4,
        data: {
          flags: EPHEMERAL,
          content: expect.stringMatching(/^Only members with the Manage Server permission/),
        },
      });
    }
    // Even with the command opened to everyone, a member's own autocomplete shows nothing of the guild's.
    const choices = await autocomplete('remove', 'subscription', '', discord.fixtures.member);
    expect(choices).toEqual([]);
    const settings = await discord.interact
      .slashCommand({ name: 'settings', options: { timezone: 'Asia/Tokyo' }, user: discord.fixtures.member })
      .callback();
    expect(settings).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(await subscriptionRows()).toEqual(before);
    expect(await query('SELECT timezone FROM guilds WHERE id = $1', [discord.fixtures.guild.id])).toEqual([
      { timezone: 'UTC' },
    ]);
  });

  it('shows and changes /settings, refusing an invalid time zone without changing anything', async () => {
    const shown = await discord.interact
      .slashCommand({ name: 'settings', user: discord.fixtures.owner })
      .finalMessage();
    const fields = (shown.embeds as Array<{ fields: Array<{ name: string; value: string }> }>)[0]!.fields;
    expect(Object.fromEntries(fields.map((field) => [field.name, field.value]))).toEqual({
      'Manager role': 'none: only members with Manage Server',
      'Time zone (digests)': 'UTC',
      'Renamed or deleted clips': 'edit or delete the post',
      'Moment grouping': 'on',
    });

    const zones = await discord.interact
      .autocomplete({
        name: 'settings',
        options: { timezone: 'berl' },
        focused: 'timezone',
        user: discord.fixtures.owner,
      })
      .autocompleteChoices();
    expect(zones).toEqual([{ name: 'Europe/Berlin', value: 'Europe/Berlin' }]);

    const invalid = await discord.interact
      .slashCommand({
        name: 'settings',
        options: { timezone: 'Mars/Olympus', group_moments: 'off' },
        user: discord.fixtures.owner,
      })
      .callback();
    expect(invalid).toMatchObject({
      type: 4,
      data: { flags: EPHEMERAL, content: expect.stringMatching(/is not a time zone/) },
    });

    const changed = await discord.interact
      .slashCommand({
        name: 'settings',
        options: {
          timezone: 'europe/berlin',
          group_moments: 'off',
          clip_changes: 'ignore',
          manager_role: discord.fixtures.moderatorRole.id,
        },
        user: discord.fixtures.owner,
      })
      .finalMessage();
    expect(changed.content).toBe('Settings updated.');
    expect(
      await query(
        'SELECT timezone, group_moments, sync_clip_changes, manager_role_id FROM guilds WHERE id = $1',
        [discord.fixtures.guild.id],
      ),
    ).toEqual([
      {
        timezone: 'Europe/Berlin',
        group_moments: false,
        sync_clip_changes: false,
        manager_role_id: discord.fixtures.moderatorRole.id,
      },
    ]);
  });

  it('lets a member with the manager role manage without Manage Server, and only with it', async () => {
    // permissions 0n: the member's computed permissions lack Manage Server whatever their roles hold.
    const withoutRole = await discord.interact
      .slashCommand({
        name: 'subscriptions',
        subcommand: 'list',
        user: discord.fixtures.member,
        permissions: 0n,
      })
      .callback();
    expect(String((withoutRole.data as Json).content)).toContain(
      `or the <@&${discord.fixtures.moderatorRole.id}> role`,
    );

    const withRole = discord.interact.slashCommand({
      name: 'subscriptions',
      subcommand: 'pause',
      options: { subscription: 'speedyrunner' },
      user: discord.fixtures.member,
      roles: ['Moderator'],
      permissions: 0n,
    });
    expect((await withRole.finalMessage()).content).toMatch(/^Paused/);
    expect((await subscriptionRows())[0]!.paused).toBe(true);
  });

  it('refuses the commands in a direct message', async () => {
    const reply = discord.interact.slashCommand({
      name: 'subscriptions',
      subcommand: 'list',
      guildId: null,
      user: discord.fixtures.owner,
    });
    expect(await reply.callback()).toMatchObject({
      type: 4,
      data: { flags: EPHEMERAL, content: 'This command only works in a server, not in direct messages.' },
    });
  });

  it('records a guild joining, changing its system channel, removing the bot and adding it back', async () => {
    const guildRow = async (id: string) =>
      (
        await query<{ name: string; left_at: Date | null; system_channel_id: string | null }>(
          'SELECT name, left_at, system_channel_id FROM guilds WHERE id = $1',
          [id],
        )
      )[0];
    const guild = discord.addGuild({ name: 'New Server', channels: [{ name: 'news' }] });
    await eventually(async () => guildRow(guild.id), 10_000, 'the new guild recorded');
    expect(await guildRow(guild.id)).toMatchObject({ name: 'New Server', left_at: null });

    discord.dispatch(
      'GUILD_UPDATE',
      { ...guildJson(guild), system_channel_id: guild.channels[0]!.id },
      guild.id,
    );
    await eventually(
      async () =>
        (await guildRow(guild.id))?.system_channel_id === guild.channels[0]!.id ? true : undefined,
      10_000,
      'the system channel recorded',
    );

    discord.removeGuild(guild.id);
    await eventually(
      async () => ((await guildRow(guild.id))?.left_at ? true : undefined),
      10_000,
      'left_at set',
    );

    discord.addGuild({ id: guild.id, name: 'New Server', channels: [{ name: 'news' }] });
    await eventually(
      async () => ((await guildRow(guild.id))?.left_at === null ? true : undefined),
      10_000,
      'left_at cleared on rejoin',
    );
  });
});
