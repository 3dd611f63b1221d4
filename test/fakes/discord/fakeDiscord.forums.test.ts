// Contract: forum and media channels as Discord's API reference describes them: no messages in the channel
// itself (50008), posts made with "Start Thread in Forum or Media Channel" (a thread whose starter message has
// the thread's id), its validation, permission checks and the REQUIRE_TAG flag (40067).
import { REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from './index.js';

let fake: FakeDiscord;

async function api(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.restUrl}/v10${path}`, {
    method: init.method ?? 'GET',
    headers: { 'Content-Type': 'application/json', Authorization: `Bot ${fake.token}` },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const startPost = (forumId: string, body: unknown) =>
  api(`/channels/${forumId}/threads`, { method: 'POST', body });

const addForum = (name: string, extra: { requireTag?: boolean; type?: number } = {}) =>
  fake.addChannel(fake.fixtures.guild.id, {
    name,
    type: extra.type ?? 15,
    availableTags: [{ id: '900000000000000001', name: 'clips' }],
    ...(extra.requireTag === undefined ? {} : { requireTag: extra.requireTag }),
  }).id;

beforeAll(async () => {
  fake = await startFakeDiscord();
});
afterAll(async () => fake?.close());

describe('fake Discord forum channels', () => {
  it('refuses a message posted in a forum or media channel itself with 50008', async () => {
    for (const type of [15, 16]) {
      const forum = addForum(`no-messages-${type}`, { type });
      const answer = await api(`/channels/${forum}/messages`, { method: 'POST', body: { content: 'hi' } });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        code: 50008,
        message: 'Cannot send messages in a non-text channel',
      });
      expect(fake.messagesIn(forum)).toEqual([]);
    }
  });

  it('starts a post: a public thread in the forum whose starter message has the thread id', async () => {
    const forum = addForum('posts');
    const answer = await startPost(forum, {
      name: 'Ace clutch',
      message: { embeds: [{ title: 'Ace clutch' }], allowed_mentions: { parse: [] } },
    });
    expect(answer.status).toBe(200);
    const thread = answer.body;
    expect(thread).toMatchObject({
      type: 11,
      parent_id: forum,
      name: 'Ace clutch',
      guild_id: fake.fixtures.guild.id,
    });
    expect(thread.message).toMatchObject({
      id: thread.id,
      channel_id: thread.id,
      embeds: [{ title: 'Ace clutch' }],
    });
    expect(fake.messagesIn(String(thread.id)).map((message) => message.id)).toEqual([thread.id]);
    // The post is listed among the guild's active threads and its starter message is readable and editable.
    const active = await api(`/guilds/${fake.fixtures.guild.id}/threads/active`);
    expect(active.body.threads).toEqual(expect.arrayContaining([expect.objectContaining({ id: thread.id })]));
    const starter = await api(`/channels/${String(thread.id)}/messages/${String(thread.id)}`);
    expect(starter.body).toMatchObject({ id: thread.id });
    const edited = await api(`/channels/${String(thread.id)}/messages/${String(thread.id)}`, {
      method: 'PATCH',
      body: { embeds: [{ title: 'Renamed' }] },
    });
    expect(edited.body).toMatchObject({ embeds: [{ title: 'Renamed' }] });
  });

  it('works through @discordjs/rest like any other route', async () => {
    const forum = addForum('rest');
    const rest = new REST({ api: fake.restUrl, version: '10' }).setToken(fake.token);
    const thread = (await rest.post(Routes.threads(forum), {
      body: { name: 'via rest', message: { content: 'starter' } },
    })) as { id: string; message: { id: string } };
    expect(thread.message.id).toBe(thread.id);
  });

  it('validates the name, the message and its flags', async () => {
    const forum = addForum('validation');
    const tooLong = await startPost(forum, { name: 'x'.repeat(101), message: { content: 'a' } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({
      code: 50035,
      errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } },
    });
    expect((await startPost(forum, { name: '', message: { content: 'a' } })).body).toMatchObject({
      code: 50035,
    });
    const noMessage = await startPost(forum, { name: 'ok' });
    expect(noMessage.body).toMatchObject({
      code: 50035,
      errors: { message: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } },
    });
    expect((await startPost(forum, { name: 'ok', message: {} })).body).toMatchObject({ code: 50006 });
    const badFlags = await startPost(forum, { name: 'ok', message: { content: 'a', flags: 1 << 6 } });
    expect(badFlags.body).toMatchObject({ code: 50035 });
    expect((await startPost(forum, { name: 'ok', message: { content: 'a', flags: 1 << 12 } })).status).toBe(
      200,
    );
    const badArchive = await startPost(forum, {
      name: 'ok',
      auto_archive_duration: 5,
      message: { content: 'a' },
    });
    expect(badArchive.body).toMatchObject({ code: 50035 });
    // Nothing but the one valid post was created.
    const threads = fake.fixtures.guild.channels.filter((channel) => channel.parentId === forum);
    expect(threads).toHaveLength(1);
  });

  it('needs access and Send Messages in the forum', async () => {
    const forum = addForum('locked');
    fake.setChannelAccess(forum, 'missing-permissions');
    expect((await startPost(forum, { name: 'x', message: { content: 'a' } })).body).toMatchObject({
      code: 50013,
    });
    fake.setChannelAccess(forum, 'missing-access');
    expect((await startPost(forum, { name: 'x', message: { content: 'a' } })).body).toMatchObject({
      code: 50001,
    });
    expect(
      (await startPost('123456789012345678', { name: 'x', message: { content: 'a' } })).body,
    ).toMatchObject({
      code: 10003,
    });
  });

  it('refuses a post without a tag in a forum with REQUIRE_TAG (40067), and unknown tags', async () => {
    const forum = addForum('tagged', { requireTag: true });
    expect((await api(`/channels/${forum}`)).body).toMatchObject({
      flags: 1 << 4,
      available_tags: [expect.objectContaining({ id: '900000000000000001', name: 'clips' })],
    });
    const untagged = await startPost(forum, { name: 'x', message: { content: 'a' } });
    expect(untagged.status).toBe(400);
    expect(untagged.body).toMatchObject({ code: 40067 });
    const unknownTag = await startPost(forum, { name: 'x', applied_tags: ['1'], message: { content: 'a' } });
    expect(unknownTag.body).toMatchObject({ code: 50035 });
    const tagged = await startPost(forum, {
      name: 'x',
      applied_tags: ['900000000000000001'],
      message: { content: 'a' },
    });
    expect(tagged.status).toBe(200);
  });

  it('starts a thread without a message in a text channel, and refuses other channel types (50024)', async () => {
    const text = fake.addChannel(fake.fixtures.guild.id, { name: 'text' }).id;
    const thread = await startPost(text, { name: 'talk', type: 11 });
    expect(thread.body).toMatchObject({ type: 11, parent_id: text });
    expect(thread.body.message).toBeUndefined();
    const voice = fake.addChannel(fake.fixtures.guild.id, { name: 'voice', type: 2 }).id;
    expect((await startPost(voice, { name: 'x' })).body).toMatchObject({ code: 50024 });
  });
});
