// Contract: @discordjs/rest against the fake (commands, rate limits, retries, nonces) and raw HTTP checks of
// the payload limits Discord enforces.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from './index.js';

let fake: FakeDiscord;
let rest: REST;

function api(
  path: string,
  init: { method?: string; body?: unknown; token?: string | null; target?: FakeDiscord } = {},
): Promise<Response> {
  const target = init.target ?? fake;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.token !== null) headers.Authorization = `Bot ${init.token ?? target.token}`;
  return fetch(`${target.restUrl}/v10${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const command = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'search',
  description: 'Search clips',
  options: [
    { type: 3, name: 'query', description: 'Words in the title', required: true, autocomplete: true },
  ],
  ...overrides,
});

beforeAll(async () => {
  fake = await startFakeDiscord({
    rateLimits: { channelMessages: { limit: 2, windowMs: 400 }, global: { limit: 50, windowMs: 1000 } },
    interactionAckWindowMs: 1000,
    interactionTokenTtlMs: 1500,
  });
  rest = new REST({ api: fake.restUrl, version: '10', retries: 3 }).setToken(fake.token);
});

afterAll(async () => {
  await fake?.close();
});

describe('fake Discord REST with @discordjs/rest', () => {
  it('accepts a bulk overwrite of global and guild commands and keeps ids of unchanged names', async () => {
    const first = (await rest.put(Routes.applicationCommands(fake.applicationId), { body: [command()] })) as {
      id: string;
    }[];
    const second = (await rest.put(Routes.applicationCommands(fake.applicationId), {
      body: [command(), command({ name: 'favorites', description: 'Your favourites', options: [] })],
    })) as { id: string; name: string }[];
    expect(second.find((saved) => saved.name === 'search')?.id).toBe(first[0]!.id);
    expect(
      fake
        .commands()
        .map((saved) => saved.name)
        .sort(),
    ).toEqual(['favorites', 'search']);
    const guildId = fake.fixtures.guild.id;
    await rest.put(Routes.applicationGuildCommands(fake.applicationId, guildId), {
      body: [command({ name: 'setup', description: 'Configure' })],
    });
    expect(fake.commands(guildId).map((saved) => saved.name)).toEqual(['setup']);
    const patched = (await rest.patch(Routes.applicationCommand(fake.applicationId, first[0]!.id), {
      body: { description: 'Find clips' },
    })) as { description: string };
    expect(patched.description).toBe('Find clips');
    await rest.delete(Routes.applicationCommand(fake.applicationId, first[0]!.id));
    expect(fake.commands().map((saved) => saved.name)).toEqual(['favorites']);
  });

  it('rejects an invalid command with 50035 and Discord’s nested error tree', async () => {
    const error = await rest
      .put(Routes.applicationCommands(fake.applicationId), {
        body: [command(), command({ name: 'Bad Name', description: '' })],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    const apiError = error as DiscordAPIError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe(50035);
    expect(apiError.rawError).toMatchObject({
      message: 'Invalid Form Body',
      errors: {
        1: {
          name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] },
          description: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] },
        },
      },
    });
  });

  it('waits out an injected 429 using Retry-After and retries', async () => {
    const channel = fake.fixtures.clips.id;
    fake.failNext('POST /channels/:id/messages', { status: 429, retryAfterMs: 300 });
    const started = Date.now();
    const message = (await rest.post(Routes.channelMessages(channel), {
      body: { content: 'after 429' },
    })) as { content: string };
    expect(message.content).toBe('after 429');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const attempts = fake.findRequests({ method: 'POST', path: `/channels/${channel}/messages` }).slice(-2);
    expect(attempts.map((attempt) => attempt.status)).toEqual([429, 200]);
  });

  it('retries 500s and reset connections', async () => {
    const channel = fake.fixtures.general.id;
    fake.clearRequests();
    fake.failNext(`POST /channels/${channel}/messages`, { status: 500, count: 2 });
    await rest.post(Routes.channelMessages(channel), { body: { content: 'after 500s' } });
    expect(fake.findRequests('POST /channels/*/messages').map((attempt) => attempt.status)).toEqual([
      500, 500, 200,
    ]);
    fake.failNext('GET /users/@me', { dropConnection: true });
    const me = (await rest.get(Routes.user())) as { id: string };
    expect(me.id).toBe(fake.bot.id);
  });

  it('delays an answer when a fault asks for it', async () => {
    fake.failNext('GET /channels/:id', { delayMs: 250 });
    const started = Date.now();
    const channel = (await rest.get(Routes.channel(fake.fixtures.general.id))) as { name: string };
    expect(channel.name).toBe('general');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('creates the message before a late answer, so a client that times out has already posted', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'late-answer' }).id;
    fake.failNext(`POST /channels/${channel}/messages`, { delayMs: 400, afterProcessing: true });
    const answer = fetch(`${fake.restUrl}/v10/channels/${channel}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bot ${fake.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'late' }),
    });
    await fake.waitForMessage(channel);
    expect(fake.findRequests(`POST /channels/${channel}/messages`)).toHaveLength(0);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(String(fake.messagesIn(channel)[0]!.id));
  });

  it('paces requests by the per-channel bucket headers so no 429 is ever served', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'burst' }).id;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        rest.post(Routes.channelMessages(channel), { body: { content: `burst ${index}` } }),
      ),
    );
    const attempts = fake.findRequests({ method: 'POST', path: `/channels/${channel}/messages` });
    expect(attempts.every((attempt) => attempt.status === 200)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(fake.messagesIn(channel)).toHaveLength(5);
  });

  it('deduplicates a repeated nonce with enforce_nonce and posts twice without it', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'nonce' }).id;
    const body = { content: 'new clip', nonce: 'delivery-42', enforce_nonce: true };
    const first = (await rest.post(Routes.channelMessages(channel), { body })) as { id: string };
    const again = (await rest.post(Routes.channelMessages(channel), { body })) as { id: string };
    expect(again.id).toBe(first.id);
    expect(fake.messagesIn(channel)).toHaveLength(1);
    await rest.post(Routes.channelMessages(channel), { body: { ...body, enforce_nonce: false } });
    expect(fake.messagesIn(channel)).toHaveLength(2);
  });

  it('creates a channel webhook and executes it', async () => {
    const webhook = (await rest.post(Routes.channelWebhooks(fake.fixtures.clips.id), {
      body: { name: 'Clip feed' },
    })) as {
      id: string;
      token: string;
    };
    const posted = (await rest.post(Routes.webhook(webhook.id, webhook.token), {
      body: { content: 'via webhook' },
      query: new URLSearchParams({ wait: 'true' }),
      auth: false,
    })) as { webhook_id: string };
    expect(posted.webhook_id).toBe(webhook.id);
    await expect(
      rest.post(Routes.webhook(webhook.id, 'wrong'), { body: { content: 'x' }, auth: false }),
    ).rejects.toMatchObject({
      code: 50027,
    });
  });
});

describe('fake Discord over raw HTTP', () => {
  it('answers 401 to a wrong token and to a missing one', async () => {
    expect((await api('/users/@me', { token: 'wrong' })).status).toBe(401);
    expect(await (await api('/users/@me', { token: null })).json()).toEqual({
      message: '401: Unauthorized',
      code: 0,
    });
  });

  it('serves guild, channel and member lookups and 404s with Discord codes', async () => {
    const { guild, general, moderator } = fake.fixtures;
    expect(await (await api(`/guilds/${guild.id}`)).json()).toMatchObject({
      id: guild.id,
      name: 'Clip Fans',
    });
    expect(
      ((await (await api(`/guilds/${guild.id}/channels`)).json()) as unknown[]).length,
    ).toBeGreaterThanOrEqual(2);
    expect(await (await api(`/channels/${general.id}`)).json()).toMatchObject({ id: general.id, type: 0 });
    expect(await (await api(`/guilds/${guild.id}/members/${moderator.id}`)).json()).toMatchObject({
      user: { id: moderator.id },
    });
    const unknown = await api('/channels/1234567890123456789/messages', {
      method: 'POST',
      body: { content: 'x' },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ code: 10003, message: 'Unknown Channel' });
  });

  it('serves Missing Access and Missing Permissions for channels the bot lost', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'locked' });
    fake.setChannelAccess(channel.id, 'missing-permissions');
    const denied = await api(`/channels/${channel.id}/messages`, { method: 'POST', body: { content: 'x' } });
    expect([denied.status, ((await denied.json()) as { code: number }).code]).toEqual([403, 50013]);
    fake.setChannelAccess(channel.id, 'missing-access');
    const hidden = await api(`/channels/${channel.id}`);
    expect([hidden.status, ((await hidden.json()) as { code: number }).code]).toEqual([403, 50001]);
  });

  const commandCases: [string, Record<string, unknown>][] = [
    ['an upper-case name', command({ name: 'Search' })],
    ['a 33-character name', command({ name: 'x'.repeat(33) })],
    ['a 101-character description', command({ description: 'x'.repeat(101) })],
    [
      '26 options',
      command({
        options: Array.from({ length: 26 }, (_, index) => ({ type: 3, name: `o${index}`, description: 'd' })),
      }),
    ],
    [
      '26 choices',
      command({
        options: [
          {
            type: 3,
            name: 'o',
            description: 'd',
            choices: Array.from({ length: 26 }, (_, index) => ({ name: `c${index}`, value: `${index}` })),
          },
        ],
      }),
    ],
    [
      'a required option after an optional one',
      command({
        options: [
          { type: 3, name: 'a', description: 'd' },
          { type: 3, name: 'b', description: 'd', required: true },
        ],
      }),
    ],
    [
      'duplicate option names',
      command({
        options: [
          { type: 3, name: 'a', description: 'd' },
          { type: 4, name: 'a', description: 'd' },
        ],
      }),
    ],
  ];

  it.each(commandCases)('rejects a command with %s as 400 / 50035', async (_name, body) => {
    const response = await api(`/applications/${fake.applicationId}/commands`, { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 50035, message: 'Invalid Form Body' });
  });

  it('rejects duplicate command names in a bulk overwrite', async () => {
    const response = await api(`/applications/${fake.applicationId}/commands`, {
      method: 'PUT',
      body: [command(), command()],
    });
    expect(await response.json()).toMatchObject({
      code: 50035,
      errors: { 1: { name: { _errors: [{ code: 'APPLICATION_COMMAND_ALREADY_EXISTS' }] } } },
    });
  });

  it('acknowledges an interaction once, then answers 40060, and expires the 3 s window and 15 min token', async () => {
    const interaction = fake.interact.slashCommand({ name: 'ping' });
    const callback = `/interactions/${interaction.id}/${interaction.token}/callback`;
    const first = await api(callback, { method: 'POST', body: { type: 5 }, token: null });
    expect(first.status).toBe(204);
    const second = await api(callback, {
      method: 'POST',
      body: { type: 4, data: { content: 'x' } },
      token: null,
    });
    expect([second.status, await second.json()]).toEqual([
      400,
      { code: 40060, message: 'Interaction has already been acknowledged.' },
    ]);
    const edited = await api(`/webhooks/${fake.applicationId}/${interaction.token}/messages/@original`, {
      method: 'PATCH',
      body: { content: 'done' },
      token: null,
    });
    expect(edited.status).toBe(200);
    expect((await interaction.finalMessage()).content).toBe('done');

    const late = fake.interact.slashCommand({ name: 'ping' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const lateAck = await api(`/interactions/${late.id}/${late.token}/callback`, {
      method: 'POST',
      body: { type: 5 },
      token: null,
    });
    expect([lateAck.status, ((await lateAck.json()) as { code: number }).code]).toEqual([404, 10062]);

    await new Promise((resolve) => setTimeout(resolve, 500));
    const expired = await api(`/webhooks/${fake.applicationId}/${interaction.token}`, {
      method: 'POST',
      body: { content: 'late' },
      token: null,
    });
    expect([expired.status, ((await expired.json()) as { code: number }).code]).toEqual([401, 50027]);
  });

  it('validates autocomplete results: at most 25 choices with names of 1–100 characters', async () => {
    const tooMany = fake.interact.autocomplete({ name: 'search', focused: 'query' });
    const choices = Array.from({ length: 26 }, (_, index) => ({ name: `c${index}`, value: `${index}` }));
    const rejected = await api(`/interactions/${tooMany.id}/${tooMany.token}/callback`, {
      method: 'POST',
      body: { type: 8, data: { choices } },
      token: null,
    });
    expect(await rejected.json()).toMatchObject({
      code: 50035,
      errors: { data: { choices: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
    const longName = await api(`/interactions/${tooMany.id}/${tooMany.token}/callback`, {
      method: 'POST',
      body: { type: 8, data: { choices: [{ name: 'x'.repeat(101), value: 'v' }] } },
      token: null,
    });
    expect(longName.status).toBe(400);
    const wrongType = await api(`/interactions/${tooMany.id}/${tooMany.token}/callback`, {
      method: 'POST',
      body: { type: 4, data: { content: 'x' } },
      token: null,
    });
    expect(wrongType.status).toBe(400);
    const accepted = await api(`/interactions/${tooMany.id}/${tooMany.token}/callback`, {
      method: 'POST',
      body: { type: 8, data: { choices: choices.slice(0, 25) } },
      token: null,
    });
    expect(accepted.status).toBe(204);
    expect(await tooMany.autocompleteChoices()).toHaveLength(25);
  });
});

describe('fake Discord rate limits', () => {
  // A fake of its own whose windows run on a clock the test moves: the counts below must not depend on how
  // fast a loaded machine sends (80 requests can take longer than the one-second window they are meant to fill).
  let clocked: FakeDiscord;
  let now = Date.now();

  beforeAll(async () => {
    clocked = await startFakeDiscord({
      rateLimits: { channelMessages: { limit: 2, windowMs: 400 }, global: { limit: 50, windowMs: 1000 } },
      rateLimitClock: () => now,
      // Not under test here; long enough that a loaded machine cannot expire the callbacks' window.
      interactionAckWindowMs: 60_000,
    });
  });

  afterAll(async () => {
    await clocked?.close();
  });

  // Each test starts in fresh windows.
  beforeEach(() => {
    now += 60_000;
  });

  it('sends rate-limit headers on every response and a 429 with Retry-After when a bucket is empty', async () => {
    const channel = clocked.addChannel(clocked.fixtures.guild.id, { name: 'flood' }).id;
    const responses = [];
    for (let index = 0; index < 3; index += 1) {
      responses.push(
        await api(`/channels/${channel}/messages`, {
          method: 'POST',
          body: { content: `m${index}` },
          target: clocked,
        }),
      );
    }
    const [first, second, third] = responses;
    expect(first!.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first!.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(first!.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(first!.headers.get('x-ratelimit-reset-after'))).toBe(0.4);
    expect(second!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(third!.status).toBe(429);
    expect(third!.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(third!.headers.get('retry-after'))).toBe(0.4);
    expect(await third!.json()).toMatchObject({ message: 'You are being rate limited.', global: false });
    now += 400;
    const afterReset = await api(`/channels/${channel}/messages`, {
      method: 'POST',
      body: { content: 'm3' },
      target: clocked,
    });
    expect(afterReset.status).toBe(200);
  });

  it('enforces the global limit of 50 requests per second with X-RateLimit-Global', async () => {
    const responses = await Promise.all(
      Array.from({ length: 80 }, () => api('/users/@me', { target: clocked })),
    );
    const limited = responses.filter((response) => response.status === 429);
    expect(responses.filter((response) => response.status === 200)).toHaveLength(50);
    expect(limited).toHaveLength(30);
    expect(limited[0]!.headers.get('x-ratelimit-global')).toBe('true');
    expect(limited[0]!.headers.get('x-ratelimit-scope')).toBe('global');
    expect(Number(limited[0]!.headers.get('retry-after'))).toBe(1);
    expect(await limited[0]!.json()).toMatchObject({ global: true });
    now += 999;
    expect((await api('/users/@me', { target: clocked })).status).toBe(429);
    now += 1;
    expect((await api('/users/@me', { target: clocked })).status).toBe(200);
  });

  it('exempts interaction callbacks from the global limit', async () => {
    const interactions = Array.from({ length: 60 }, () => clocked.interact.slashCommand({ name: 'ping' }));
    const responses = await Promise.all(
      interactions.map((interaction) =>
        api(`/interactions/${interaction.id}/${interaction.token}/callback`, {
          method: 'POST',
          body: { type: 5 },
          token: null,
          target: clocked,
        }),
      ),
    );
    expect(responses.filter((response) => response.status === 429)).toHaveLength(0);
    expect(responses.filter((response) => response.status === 204)).toHaveLength(60);
  });
});

describe('fake Discord message limits', () => {
  // Its own fake with a roomy message bucket: invalid requests count against rate limits, as on Discord.
  let lenient: FakeDiscord;

  beforeAll(async () => {
    lenient = await startFakeDiscord({ rateLimits: { channelMessages: { limit: 1000, windowMs: 1000 } } });
  });

  afterAll(async () => {
    await lenient?.close();
  });

  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'content over 2000 characters',
      { content: 'x'.repeat(2001) },
      { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    ],
    [
      '11 embeds',
      { embeds: Array.from({ length: 11 }, () => ({ title: 't' })) },
      { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    ],
    [
      'an embed title over 256',
      { embeds: [{ title: 'x'.repeat(257) }] },
      { embeds: { 0: { title: { _errors: [{}] } } } },
    ],
    [
      'an embed description over 4096',
      { embeds: [{ description: 'x'.repeat(4097) }] },
      { embeds: { 0: { description: {} } } },
    ],
    [
      '26 embed fields',
      { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] },
      { embeds: { 0: { fields: {} } } },
    ],
    [
      'a field value over 1024',
      { embeds: [{ fields: [{ name: 'n', value: 'x'.repeat(1025) }] }] },
      { embeds: { 0: { fields: { 0: { value: {} } } } } },
    ],
    [
      'a footer over 2048',
      { embeds: [{ footer: { text: 'x'.repeat(2049) } }] },
      { embeds: { 0: { footer: { text: {} } } } },
    ],
    [
      'an author name over 256',
      { embeds: [{ author: { name: 'x'.repeat(257) } }] },
      { embeds: { 0: { author: { name: {} } } } },
    ],
    [
      'embeds over 6000 characters in total',
      { embeds: [{ description: 'x'.repeat(4000) }, { description: 'x'.repeat(2001) }] },
      { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } },
    ],
    [
      '6 action rows',
      {
        components: Array.from({ length: 6 }, (_, row) => ({
          type: 1,
          components: [{ type: 2, style: 1, label: 'b', custom_id: `r${row}` }],
        })),
      },
      { components: { _errors: [{}] } },
    ],
    [
      '6 buttons in a row',
      {
        components: [
          {
            type: 1,
            components: Array.from({ length: 6 }, (_, index) => ({
              type: 2,
              style: 1,
              label: 'b',
              custom_id: `b${index}`,
            })),
          },
        ],
      },
      { components: { 0: { components: {} } } },
    ],
    [
      'a custom_id over 100',
      {
        components: [
          { type: 1, components: [{ type: 2, style: 1, label: 'b', custom_id: 'x'.repeat(101) }] },
        ],
      },
      { components: { 0: { components: { 0: { custom_id: {} } } } } },
    ],
    [
      'duplicate custom_ids',
      {
        components: [
          {
            type: 1,
            components: [
              { type: 2, style: 1, label: 'a', custom_id: 'same' },
              { type: 2, style: 1, label: 'b', custom_id: 'same' },
            ],
          },
        ],
      },
      {
        components: {
          0: { components: { 1: { custom_id: { _errors: [{ code: 'COMPONENT_CUSTOM_ID_DUPLICATED' }] } } } },
        },
      },
    ],
  ];

  it.each(cases)('rejects a message with %s as 400 / 50035', async (_name, body, errors) => {
    const response = await api(`/channels/${lenient.fixtures.general.id}/messages`, {
      method: 'POST',
      body: { content: 'c', ...body },
      target: lenient,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 50035, message: 'Invalid Form Body', errors });
  });

  it('rejects allowed_mentions that both parse users and list them', async () => {
    const response = await api(`/channels/${lenient.fixtures.general.id}/messages`, {
      method: 'POST',
      body: { content: 'hi', allowed_mentions: { parse: ['users'], users: ['1'] } },
      target: lenient,
    });
    expect(await response.json()).toMatchObject({
      code: 50035,
      errors: { allowed_mentions: { _errors: [{ code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE' }] } },
    });
  });

  it('rejects an empty message with 50006', async () => {
    const response = await api(`/channels/${lenient.fixtures.general.id}/messages`, {
      method: 'POST',
      body: {},
      target: lenient,
    });
    expect(await response.json()).toEqual({ code: 50006, message: 'Cannot send an empty message' });
  });
});

describe('fake Discord channel messages', () => {
  it('lists newest first, edits the bot’s own message and deletes it', async () => {
    const target = await startFakeDiscord();
    const client = new REST({ api: target.restUrl, version: '10' }).setToken(target.token);
    try {
      const channel = target.fixtures.general.id;
      const first = (await client.post(Routes.channelMessages(channel), { body: { content: 'one' } })) as {
        id: string;
      };
      await client.post(Routes.channelMessages(channel), { body: { content: 'two' } });
      const listed = (await client.get(Routes.channelMessages(channel), {
        query: new URLSearchParams({ limit: '1' }),
      })) as {
        content: string;
      }[];
      expect(listed.map((message) => message.content)).toEqual(['two']);
      const edited = (await client.patch(Routes.channelMessage(channel, first.id), {
        body: { content: 'one, edited', embeds: [{ title: 'clip' }] },
      })) as { content: string; edited_timestamp: string | null };
      expect(edited).toMatchObject({ content: 'one, edited' });
      expect(edited.edited_timestamp).not.toBeNull();
      await expect(
        client.patch(Routes.channelMessage(channel, first.id), { body: { content: 'x'.repeat(2001) } }),
      ).rejects.toMatchObject({ code: 50035 });
      await client.delete(Routes.channelMessage(channel, first.id));
      await expect(client.get(Routes.channelMessage(channel, first.id))).rejects.toMatchObject({
        code: 10008,
      });
      await expect(
        client.get(Routes.channelMessages(channel), { query: new URLSearchParams({ before: 'abc' }) }),
      ).rejects.toMatchObject({ code: 50035 });
      expect(target.messagesIn(channel).map((message) => message.content)).toEqual(['two']);
    } finally {
      await target.close();
    }
  });
});
