// The Discord side as members use it: every command through the fake Discord and the real bot process
// (real discord.js), paging with buttons, the select menu, favourites, expired and forged components,
// another member's buttons, cooldowns, errors after a deferral, hostile input, a channel without embed
// permission and DMs. Clips are seeded straight into PostgreSQL so the test does not wait for a backfill.
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertBroadcasters, upsertClips } from '../../src/clips/clipStore.js';
import type { ClipRecord } from '../../src/clips/ClipRecord.js';
import { createDatabase } from '../../src/db/createDatabase.js';
import type { Database } from '../../src/db/Database.js';
import { createLogger } from '../../src/observability/logger.js';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { Permission } from '../fakes/discord/fixtures.js';
import { seedDemoData, startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { createTestPostgresDatabase } from '../support/databases.js';
import { freePort } from '../support/redisServer.js';

type Json = Record<string, unknown>;
interface Embed {
  title?: string;
  description?: string;
  footer?: { text: string };
  fields?: Array<{ name: string; value: string }>;
  thumbnail?: { url: string };
}
interface Component {
  type: number;
  custom_id?: string;
  url?: string;
  disabled?: boolean;
  options?: Array<{ value: string; label: string }>;
}

const EPHEMERAL = 64;
const CHANNEL = { id: '200000001', login: 'host_streamer', displayName: 'Host_Streamer' };
const HOSTILE_TITLES = [
  '@everyone free nitro <@123456789012345678>',
  '[click me](https://evil.test) **bold** __under__ ||spoiler||',
  '\u202Eevil reversed\u202C שלום עולם',
];
const SEEDED = 25;

function seededClips(now: number): ClipRecord[] {
  return Array.from({ length: SEEDED }, (_, i) => ({
    id: `SeededClipNumber${String(i).padStart(2, '0')}Slug`,
    broadcasterId: CHANNEL.id,
    creatorId: '300000001',
    creatorName: 'clip_maker',
    videoId: null,
    gameId: '509658',
    language: 'en',
    title: i < HOSTILE_TITLES.length ? `seeded ${HOSTILE_TITLES[i]}` : `seeded moment number ${i}`,
    viewCount: 10_000 - i * 100,
    createdAt: new Date(now - (i + 1) * 3_600_000),
    thumbnailUrl: `https://clips-media-assets2.twitch.tv/seeded-${i}-preview-480x272.jpg`,
    url: `https://clips.twitch.tv/SeededClipNumber${String(i).padStart(2, '0')}Slug`,
    embedUrl: `https://clips.twitch.tv/embed?clip=SeededClipNumber${String(i).padStart(2, '0')}Slug`,
    durationSec: 30 + i,
    vodOffset: null,
    isFeatured: false,
  }));
}

function embedsOf(message: Json): Embed[] {
  return (message.embeds ?? []) as Embed[];
}

function componentsOf(message: Json): Component[] {
  return ((message.components ?? []) as Array<{ components: Component[] }>).flatMap((row) => row.components);
}

function button(message: Json, action: string, index = 0): Component {
  const found = componentsOf(message).filter((c) => c.custom_id?.split(':')[2] === action)[index];
  if (!found) throw new Error(`no ${action} component in ${JSON.stringify(message.components)}`);
  return found;
}

describe('the Discord experience', () => {
  let discord: FakeDiscord;
  let twitch: FakeTwitch;
  let database: { url: string; drop(): Promise<void> };
  let db: Database;
  let bot: BotProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    twitch = await startFakeTwitch();
    seedDemoData(twitch);
    database = await createTestPostgresDatabase();
    // The in-memory cache (no REDIS_URL): cooldowns and paging state must work without Redis too.
    env = botEnvForFakes(discord, twitch, {
      DATABASE_URL: database.url,
      ADMIN_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
    bot = startBotProcess({ env });
    await bot.waitForLog((line) => line.msg === 'discord gateway ready', 60_000);
    db = await createDatabase({ databaseUrl: database.url, logger: createLogger({ level: 'silent' }) });
    const now = Date.now();
    await upsertBroadcasters(db.sql, [
      {
        id: CHANNEL.id,
        login: CHANNEL.login,
        displayName: CHANNEL.displayName,
        profileImageUrl: null,
        broadcasterType: '',
      },
    ]);
    await db.sql.query(
      `INSERT INTO games (id, name) VALUES ('509658', 'Just Chatting') ON CONFLICT DO NOTHING`,
    );
    await upsertClips(db.sql, seededClips(now), new Date(now));
    // Tracked with its history complete and no poll due today: the sync leaves it alone.
    await db.sql.query(
      `INSERT INTO tracked_channels (broadcaster_id, reason, tracked_since, next_poll_at, backfill_status,
                                     backfill_from, backfill_until, backfill_done_from, backfill_next_at)
       VALUES ($1, 'search', now(), now() + interval '1 day', 'done', now() - interval '1 year', now(),
               now() - interval '1 year', now() + interval '1 day')`,
      [CHANNEL.id],
    );
    const deploy = startBotProcess({ env, script: 'deploy-commands.ts' });
    const { code } = await deploy.exited();
    expect(code, deploy.stderr()).toBe(0);
  }, 90_000);

  afterAll(async () => {
    if (bot) await bot.stop('SIGKILL');
    await db?.close();
    await discord?.close();
    await twitch?.close();
    await database?.drop();
  });

  /** The body that carried the answer: the callback's data (type 4) or the edit of a deferral. */
  const answerBody = (reply: { id: string; token: string }): Json => {
    const requests = discord.findRequests(
      (r) =>
        r.path.includes(`/interactions/${reply.id}/`) ||
        r.path.includes(`/${reply.token}/messages/@original`),
    );
    const last = requests.at(-1)!;
    const body = last.body as Json;
    return last.method === 'POST' ? (body.data as Json) : body;
  };

  const search = (options: Json, extra: Json = {}) =>
    discord.interact.slashCommand({
      name: 'clips',
      subcommand: 'search',
      options: options as never,
      ...extra,
    });

  it('registers its commands through the fake’s validation and prints what changed on a second run', async () => {
    const commands = discord.commands(discord.fixtures.guild.id);
    expect(commands.map((c) => c.name).sort()).toEqual([
      'clips',
      'favorites',
      'help',
      'settings',
      'subscriptions',
      'twitch',
    ]);
    const clips = commands.find((c) => c.name === 'clips')! as Json;
    expect(((clips.options ?? []) as Json[]).map((o) => o.name)).toEqual([
      'search',
      'top',
      'recent',
      'random',
      'info',
      'stats',
    ]);
    const again = startBotProcess({ env, script: 'deploy-commands.ts' });
    expect((await again.exited()).code).toBe(0);
    const output = again.logs.map((l) => l.msg);
    expect(output, JSON.stringify(output)).toContain('no changes');
  });

  it('answers a search in the callback with a page, its thumbnail, a select, page buttons, ⭐ and a link', async () => {
    const reply = search({ text: 'seeded', channel: CHANNEL.id, sort: 'views' });
    const message = await reply.finalMessage();
    // Answered in the callback when fast (type 4), else deferred (5) and edited; never mentions anyone.
    expect([4, 5]).toContain((await reply.callback()).type);
    expect(answerBody(reply).allowed_mentions).toEqual({ parse: [] });
    expect(Number(message.flags ?? 0) & EPHEMERAL).toBe(0);
    const [embed] = embedsOf(message);
    expect(embed!.description!.split('\n')).toHaveLength(10);
    expect(embed!.description).toMatch(
      /^\*\*1\.\*\* \[seeded @\u200Beveryone free nitro \\<@\u200B123456789012345678\\>\]\(https:\/\/clips\.twitch\.tv\/SeededClipNumber00Slug\) — Host\\_Streamer · Just Chatting · by clip\\_maker · 10,000 views · 0:30 · <t:\d+:R>/,
    );
    expect(embed!.description).toContain('\\[click me\\]\\(https\\://evil.test\\)');
    expect(embed!.description).not.toContain('\u202E');
    expect(embed!.thumbnail?.url).toContain('seeded-0-preview');
    expect(embed!.footer?.text).toBe('25 clips · page 1');
    const kinds = componentsOf(message).map((c) => c.custom_id?.split(':').slice(1, 3).join(':') ?? c.url);
    expect(kinds).toEqual([
      'clips:open',
      'clips:page',
      'clips:page',
      'clips:save',
      'https://clips.twitch.tv/SeededClipNumber00Slug',
    ]);
    expect(button(message, 'page', 0).disabled).toBe(true);
  });

  it('pages forward to the end and back to the start with ◀ ▶, for the member who searched only', async () => {
    const reply = search({ text: 'seeded', channel: CHANNEL.id, sort: 'views' });
    let message = await reply.finalMessage();
    const turn = async (index: 0 | 1, user = discord.fixtures.member) => {
      const press = discord.interact.component({
        customId: button(message, 'page', index).custom_id!,
        message,
        user,
      });
      return press;
    };
    const pages: string[] = [];
    for (let page = 2; page <= 3; page++) {
      const press = await turn(1);
      expect((await press.callback()).type).toBe(7);
      message = await press.finalMessage();
      pages.push(embedsOf(message)[0]!.footer!.text);
      expect(embedsOf(message)[0]!.description!.split('\n')[0]).toMatch(
        new RegExp(`^\\*\\*${(page - 1) * 10 + 1}\\.\\*\\*`),
      );
    }
    expect(pages).toEqual(['25 clips · page 2', '25 clips · page 3']);
    expect(embedsOf(message)[0]!.description!.split('\n')).toHaveLength(5);
    expect(button(message, 'page', 1).disabled).toBe(true);

    // Another member pressing the shared message's buttons is told privately; the message stays as it is.
    const other = await turn(0, discord.fixtures.moderator);
    const refusal = await other.finalMessage();
    expect(Number(refusal.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(refusal.content)).toContain('Only the member who ran this /clips can turn its pages');

    for (const expected of ['25 clips · page 2', '25 clips · page 1']) {
      const press = await turn(0);
      message = await press.finalMessage();
      expect(embedsOf(message)[0]!.footer!.text).toBe(expected);
    }
    expect(button(message, 'page', 0).disabled).toBe(true);
    expect(embedsOf(message)[0]!.description!.split('\n')[0]).toMatch(/^\*\*1\.\*\*/);
  });

  it('opens a clip from the select menu privately, with its link for the player, and ⭐ saves it', async () => {
    const message = await search({
      text: 'seeded moment',
      channel: CHANNEL.id,
      sort: 'views',
    }).finalMessage();
    const select = button(message, 'open');
    const value = select.options![2]!.value;
    const open = discord.interact.component({
      customId: select.custom_id!,
      message,
      componentType: 3,
      values: [value],
    });
    const card = await open.finalMessage();
    expect(Number(card.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(card.content).toBe(`https://clips.twitch.tv/${value}`);
    expect(embedsOf(card)[0]!.fields!.map((f) => f.name)).toEqual([
      'Channel',
      'Game',
      'Clipped by',
      'Views',
      'Duration',
      'Created',
    ]);

    const star = discord.interact.component({ customId: button(card, 'save').custom_id!, message: card });
    const saved = await star.finalMessage();
    expect(Number(saved.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(saved.content)).toContain('⭐ Saved “seeded moment number');
    const again = await discord.interact
      .component({ customId: button(card, 'save').custom_id!, message: card })
      .finalMessage();
    expect(String(again.content)).toContain('is already in your saved clips');

    const list = await discord.interact
      .slashCommand({ name: 'favorites', subcommand: 'list' })
      .finalMessage();
    expect(Number(list.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(embedsOf(list)[0]!.description).toContain(`(https://clips.twitch.tv/${value})`);
    expect(embedsOf(list)[0]!.footer!.text).toBe('1 clip');
  });

  it('adds, lists across servers and DMs, autocompletes and removes favourites', async () => {
    const user = discord.addUser({ username: 'collector' });
    const add = (clip: string) =>
      discord.interact
        .slashCommand({ name: 'favorites', subcommand: 'add', options: { clip }, user })
        .finalMessage();
    for (let i = 3; i < 15; i++) {
      expect(
        String(
          (await add(`https://clips.twitch.tv/SeededClipNumber${String(i).padStart(2, '0')}Slug`)).content,
        ),
      ).toContain('Saved');
    }
    const bad = await add('not a clip at all');
    expect(String(bad.content)).toContain('not a clip link');
    // Per user, not per server: the DM shows the same list, paged like search.
    let list = await discord.interact
      .slashCommand({ name: 'favorites', subcommand: 'list', user, guildId: null })
      .finalMessage();
    expect(embedsOf(list)[0]!.footer!.text).toBe('12 clips · page 1');
    const next = discord.interact.component({
      customId: button(list, 'page', 1).custom_id!,
      message: list,
      user,
      guildId: null,
    });
    list = await next.finalMessage();
    expect(embedsOf(list)[0]!.description!.split('\n')).toHaveLength(2);

    const choices = await discord.interact
      .autocomplete({
        name: 'favorites',
        subcommand: 'remove',
        options: { clip: 'number 1' },
        focused: 'clip',
        user,
      })
      .autocompleteChoices();
    expect(choices.map((c) => c.value)).toContain('SeededClipNumber10Slug');
    const removed = await discord.interact
      .slashCommand({
        name: 'favorites',
        subcommand: 'remove',
        options: { clip: 'SeededClipNumber10Slug' },
        user,
      })
      .finalMessage();
    expect(removed.content).toBe('Removed from your saved clips.');
  });

  it('answers expired paging state and forged custom ids with a friendly private message', async () => {
    const message = await search({ text: 'seeded', channel: CHANNEL.id }).finalMessage();
    const expired = await discord.interact
      .component({ customId: 'v1:clips:page:AAAAAAAAAAAA:1', message })
      .finalMessage();
    expect(Number(expired.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(expired.content)).toContain('These results have expired');
    for (const customId of ['garbage', 'v9:clips:page:x:1', 'v1:clips:page:<@1>:1', 'v1:nosuch:thing']) {
      const answer = await discord.interact.component({ customId, message }).finalMessage();
      expect(Number(answer.flags) & EPHEMERAL).toBe(EPHEMERAL);
      expect(String(answer.content)).toMatch(/older version of the bot|have expired/);
    }
  });

  it('covers top, recent, random and info, and autocompletes channel, game and clipper', async () => {
    const top = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'top', options: { channel: CHANNEL.id, period: 'week' } })
      .finalMessage();
    expect(embedsOf(top)[0]!.title).toBe('Top clips of Host\\_Streamer \\(last 7 days\\)');
    expect(embedsOf(top)[0]!.description!.split('\n')[0]).toContain('10,000 views');
    const byGame = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'top', options: { game: '509658' } })
      .finalMessage();
    expect(embedsOf(byGame)[0]!.footer!.text).toMatch(/clips/);
    const neither = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'top', options: {} })
      .finalMessage();
    expect(Number(neither.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(neither.content)).toContain('Pick a channel or a game');

    const recent = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'recent', options: { channel: CHANNEL.login } })
      .finalMessage();
    expect(embedsOf(recent)[0]!.description!.split('\n')[0]).toContain('SeededClipNumber00Slug');

    const random = await discord.interact
      .slashCommand({
        name: 'clips',
        subcommand: 'random',
        options: { channel: CHANNEL.id, min_views: 9_500 },
      })
      .finalMessage();
    const pickedViews = Number(
      embedsOf(random)[0]!
        .fields!.find((f) => f.name === 'Views')!
        .value.replace(/,/g, ''),
    );
    expect(pickedViews).toBeGreaterThanOrEqual(9_500);
    const none = await discord.interact
      .slashCommand({
        name: 'clips',
        subcommand: 'random',
        options: { channel: CHANNEL.id, min_views: 99_999 },
      })
      .finalMessage();
    expect(String(none.content)).toContain('No clip of Host\\_Streamer matches');

    const info = await discord.interact
      .slashCommand({
        name: 'clips',
        subcommand: 'info',
        options: { clip: 'https://clips.twitch.tv/SeededClipNumber05Slug' },
      })
      .finalMessage();
    expect(embedsOf(info)[0]!.title).toBe('seeded moment number 5');
    const unknown = await discord.interact
      .slashCommand({ name: 'clips', subcommand: 'info', options: { clip: 'NoSuchClipAnywhere' } })
      .finalMessage();
    expect(Number(unknown.flags) & EPHEMERAL).toBe(EPHEMERAL);

    const complete = (focused: string, options: Json) =>
      discord.interact
        .autocomplete({ name: 'clips', subcommand: 'search', options: options as never, focused })
        .autocompleteChoices();
    expect((await complete('channel', { channel: 'host' })).map((c) => c.value)).toContain(CHANNEL.id);
    expect((await complete('game', { game: 'just' })).map((c) => c.value)).toEqual(['509658']);
    expect((await complete('clipper', { clipper: 'clip_', channel: CHANNEL.id })).map((c) => c.name)).toEqual(
      ['clip_maker'],
    );
    const bad = await search({ text: 'x', game: 'Just Chatting' }).finalMessage();
    expect(String(bad.content)).toBe('Pick the game from the list that appears while you type.');
  });

  it('charts a channel with /clips stats: an embed showing an attached PNG that decodes to its size', async () => {
    // A member of its own, so earlier searches' cooldowns do not apply.
    const user = discord.addUser({ username: 'chart-viewer' });
    const reply = discord.interact.slashCommand({
      name: 'clips',
      subcommand: 'stats',
      options: { channel: CHANNEL.id, period: 'week' },
      user,
    });
    const message = await reply.finalMessage();
    const [embed] = embedsOf(message) as Array<Embed & { image?: { url: string } }>;
    expect(embed, JSON.stringify(message)).toBeDefined();
    expect(embed!.title).toBe('Clip stats: Host\\_Streamer · last 7 days');
    expect(embed!.image?.url).toBe('attachment://clip-stats.png');
    // The PNG travelled as a multipart attachment of the answer (the callback, or the edit of a deferral).
    const carrier = discord
      .findRequests(
        (r) =>
          r.files.length > 0 &&
          (r.path.includes(`/interactions/${reply.id}/`) || r.path.includes(`/${reply.token}/messages/`)),
      )
      .at(-1);
    expect(carrier, 'a request carrying the chart').toBeDefined();
    const [file] = carrier!.files;
    expect(file!.name).toBe('clip-stats.png');
    const png = PNG.sync.read(file!.data);
    expect([png.width, png.height]).toEqual([1200, 700]);
    expect(file!.size).toBe(file!.data.length);
  });

  it('limits how fast one member searches and says when to try again', async () => {
    const user = discord.addUser({ username: 'fast-typer' });
    const answers: Json[] = [];
    for (let i = 0; i < 6; i++) answers.push(await search({ text: `seeded ${i}` }, { user }).finalMessage());
    expect(answers.slice(0, 5).every((a) => embedsOf(a).length === 1)).toBe(true);
    const limited = answers[5]!;
    expect(Number(limited.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(limited.content)).toMatch(/Try again in \d+ s \(<t:\d+:R>\)/);
  });

  it('keeps an error private when it comes after the public deferral', async () => {
    // The Twitch lookup of an unknown name takes longer than the bot waits before deferring.
    twitch.injectFault('users', { kind: 'latency', ms: 2_500 });
    const reply = search({ text: 'anything', channel: 'nobody_by_this_name' });
    const callback = await reply.callback();
    expect(callback.type).toBe(5);
    expect(Number(callback.data?.flags ?? 0) & EPHEMERAL).toBe(0);
    const followUp = await reply.waitForFollowUp(() => true, 10_000);
    expect(Number(followUp.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(followUp.content)).toContain('There is no Twitch channel called “nobody_by_this_name”');
    // The public "thinking…" message was withdrawn: nobody else sees anything.
    expect(reply.original).toBeNull();
  });

  it('escapes hostile search text (mentions, markdown, masked links, 200 characters, right-to-left)', async () => {
    const hostile =
      `@everyone <@${discord.fixtures.owner.id}> **x** [a](https://evil.test) \u202Eשלום ${'y'.repeat(120)}`.slice(
        0,
        200,
      );
    const reply = search({ text: hostile }, { user: discord.addUser({ username: 'hostile-tester' }) });
    const message = await reply.finalMessage();
    const title = embedsOf(message)[0]!.title!;
    expect(title.length).toBeLessThanOrEqual(256);
    expect(title).toContain('@\u200Beveryone \\<@\u200B');
    expect(title).toContain('\\[a\\]\\(https\\://evil.test\\)');
    expect(title).not.toContain('\u202E');
    expect(answerBody(reply).allowed_mentions).toEqual({ parse: [] });
  });

  it('answers in text where the bot may not embed links, and works in DMs', async () => {
    const guild = discord.addGuild({
      name: 'No Embeds',
      everyonePermissions:
        Permission.ViewChannel | Permission.SendMessages | Permission.UseApplicationCommands,
      // Someone else owns it (an owner has every permission).
      ownerId: discord.fixtures.owner.id,
      members: [{ user: discord.fixtures.owner }],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const user = discord.addUser({ username: 'dm-tester' });
    const plain = await search(
      { text: 'seeded', channel: CHANNEL.id, sort: 'views' },
      { guildId: guild.id, user },
    ).finalMessage();
    expect(embedsOf(plain)).toHaveLength(0);
    expect(String(plain.content)).toContain('**1.** [seeded @\u200Beveryone');
    expect(String(plain.content).length).toBeLessThanOrEqual(2000);

    const inDm = await search({ text: 'seeded' }, { guildId: null, user }).finalMessage();
    expect(embedsOf(inDm)[0]!.footer!.text).toMatch(/^25 clips/);
    const help = await discord.interact.slashCommand({ name: 'help', guildId: null }).finalMessage();
    expect(embedsOf(help)[0]!.description).toContain('/favorites');
    expect(embedsOf(help)[0]!.fields!.find((f) => f.name === 'Clips indexed')!.value).toBe(String(SEEDED));
  });

  it('limits how many new channels one server starts indexing per day, and says so at the limit', async () => {
    // Fresh channels created an hour ago: each indexing run is one short window of the fake Twitch.
    const logins = Array.from({ length: 11 }, (_, i) => `quota_channel_${i}`);
    for (const [i, login] of logins.entries()) {
      twitch.addBroadcaster({
        id: String(400000001 + i),
        login,
        createdAt: new Date(Date.now() - 3_600_000),
      });
    }
    const answers: Json[] = [];
    for (const [i, login] of logins.entries()) {
      // A member each, so the per-member cooldown is not what stops them.
      const user = discord.addUser({ username: `quota-member-${i}` });
      answers.push(
        await discord.interact
          .slashCommand({ name: 'clips', subcommand: 'recent', options: { channel: login }, user })
          .finalMessage(10_000),
      );
    }
    expect(answers.slice(0, 10).every((a) => embedsOf(a)[0]?.fields?.[0]?.name === 'Indexing')).toBe(true);
    const refused = answers[10]!;
    expect(Number(refused.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(refused.content)).toMatch(
      /already started indexing 10 new channels today, the daily limit .* More can be added <t:\d+:R>\./,
    );
    // Channels already indexed still work for everyone.
    const known = await discord.interact
      .slashCommand({
        name: 'clips',
        subcommand: 'recent',
        options: { channel: logins[0]! },
        user: discord.addUser({ username: 'quota-latecomer' }),
      })
      .finalMessage();
    expect(embedsOf(known)).toHaveLength(1);
  });

  it('escapes channel names in /twitch status', async () => {
    const status = await discord.interact
      .slashCommand({ name: 'twitch', subcommand: 'status', options: { channel: CHANNEL.login } })
      .finalMessage();
    expect(String(status.content)).toMatch(/^\*\*Host\\_Streamer\*\*: /);
  });
});
