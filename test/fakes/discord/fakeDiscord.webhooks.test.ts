// Contract: the fake's channel webhooks as Discord's API reference describes them (create, list, execute with
// wait/thread_id/thread_name, webhook messages, delete), their permission checks and error codes, and the test
// hooks that delete or rotate a webhook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from './index.js';

let fake: FakeDiscord;

async function api(
  path: string,
  init: { method?: string; body?: unknown; bot?: boolean } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.bot !== false) headers.Authorization = `Bot ${fake.token}`;
  const response = await fetch(`${fake.restUrl}/v10${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function createWebhook(channelId: string): Promise<{ id: string; token: string }> {
  const created = await api(`/channels/${channelId}/webhooks`, {
    method: 'POST',
    body: { name: 'Clip feed' },
  });
  expect(created.status).toBe(200);
  return created.body as { id: string; token: string };
}

const execute = (hook: { id: string; token: string }, body: unknown, query = 'wait=true') =>
  api(`/webhooks/${hook.id}/${hook.token}?${query}`, { method: 'POST', body, bot: false });

beforeAll(async () => {
  fake = await startFakeDiscord();
});
afterAll(async () => fake?.close());

describe('fake Discord channel webhooks', () => {
  it('creates, lists with tokens, executes under a username and avatar, and deletes', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'hooks' }).id;
    const hook = await createWebhook(channel);
    const listed = await api(`/channels/${channel}/webhooks`);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: hook.id, token: hook.token, application_id: fake.applicationId }),
    ]);
    const posted = await execute(hook, {
      embeds: [{ title: 'clip' }],
      username: 'Streamer',
      avatar_url: 'https://cdn.example/avatar.png',
    });
    expect(posted.body).toMatchObject({ webhook_id: hook.id, author: { id: hook.id, username: 'Streamer' } });
    expect(fake.messageAvatarUrl(String(posted.body.id))).toBe('https://cdn.example/avatar.png');
    // wait=false answers 204 and still posts.
    expect((await execute(hook, { content: 'no wait' }, '')).status).toBe(204);
    expect(fake.messagesIn(channel)).toHaveLength(2);
    expect((await api(`/webhooks/${hook.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await execute(hook, { content: 'gone' })).body).toMatchObject({ code: 10015 });
  });

  it('refuses webhook management without Manage Webhooks (50013) and bad names (50035)', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'locked' }).id;
    fake.setWebhookPermission(channel, false);
    const refused = await api(`/channels/${channel}/webhooks`, {
      method: 'POST',
      body: { name: 'Clip feed' },
    });
    expect([refused.status, refused.body.code]).toEqual([403, 50013]);
    expect((await api(`/channels/${channel}/webhooks`)).body.code).toBe(50013);
    fake.setWebhookPermission(channel, true);
    const badName = await api(`/channels/${channel}/webhooks`, {
      method: 'POST',
      body: { name: 'My Discord' },
    });
    expect([badName.status, badName.body.code]).toEqual([400, 50035]);
    const hook = await createWebhook(channel);
    expect((await execute(hook, { content: 'x', username: 'clyde fan' })).body.code).toBe(50035);
  });

  it('allows at most 15 webhooks in a channel (30007)', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'crowded' }).id;
    for (let i = 0; i < 15; i += 1) await createWebhook(channel);
    const sixteenth = await api(`/channels/${channel}/webhooks`, {
      method: 'POST',
      body: { name: 'one more' },
    });
    expect([sixteenth.status, sixteenth.body.code]).toEqual([400, 30007]);
  });

  it('answers 10015 for a deleted webhook and 50027 for a rotated token', async () => {
    const channel = fake.addChannel(fake.fixtures.guild.id, { name: 'repairs' }).id;
    const rotated = await createWebhook(channel);
    fake.rotateWebhookToken(rotated.id);
    const stale = await execute(rotated, { content: 'x' });
    expect([stale.status, stale.body.code]).toEqual([401, 50027]);
    const fresh = fake.webhooksIn(channel)[0]!;
    expect((await execute(fresh, { content: 'x' })).status).toBe(200);
    fake.deleteWebhook(rotated.id);
    const gone = await execute(fresh, { content: 'x' });
    expect([gone.status, gone.body.code]).toEqual([404, 10015]);
  });

  it('posts in a thread of its channel with thread_id and edits/deletes there only with it', async () => {
    const parent = fake.addChannel(fake.fixtures.guild.id, { name: 'parent' }).id;
    const thread = fake.addChannel(fake.fixtures.guild.id, {
      name: 'a thread',
      type: 11,
      parentId: parent,
    }).id;
    const other = fake.addChannel(fake.fixtures.guild.id, { name: 'elsewhere', type: 11 }).id;
    const hook = await createWebhook(parent);
    const inThreadHook = await api(`/channels/${thread}/webhooks`, { method: 'POST', body: { name: 'x' } });
    expect(inThreadHook.body.code).toBe(50024);
    const posted = await execute(hook, { content: 'in thread' }, `wait=true&thread_id=${thread}`);
    expect(posted.body.channel_id).toBe(thread);
    expect((await execute(hook, { content: 'x' }, `wait=true&thread_id=${other}`)).body.code).toBe(10003);
    const path = `/webhooks/${hook.id}/${hook.token}/messages/${String(posted.body.id)}`;
    expect((await api(path, { method: 'PATCH', body: { content: 'edited' }, bot: false })).body.code).toBe(
      10008,
    );
    const edited = await api(`${path}?thread_id=${thread}`, {
      method: 'PATCH',
      body: { content: 'edited' },
      bot: false,
    });
    expect(edited.body.content).toBe('edited');
    expect((await api(`${path}?thread_id=${thread}`, { method: 'DELETE', bot: false })).status).toBe(204);
    expect(fake.messagesIn(thread)).toHaveLength(0);
  });

  it('needs thread_name or thread_id in a forum; thread_name starts a post whose id is the thread id', async () => {
    const forum = fake.addChannel(fake.fixtures.guild.id, { name: 'clip-forum', type: 15 }).id;
    const hook = await createWebhook(forum);
    expect((await execute(hook, { content: 'x' })).body.code).toBe(220001);
    const posted = await execute(hook, { content: 'a clip', thread_name: 'Clip title' });
    const threadId = String(posted.body.channel_id);
    expect(posted.body.id).toBe(threadId);
    const active = await api(`/guilds/${fake.fixtures.guild.id}/threads/active`);
    expect(active.body.threads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: threadId, parent_id: forum, name: 'Clip title' }),
      ]),
    );
    const text = fake.addChannel(fake.fixtures.guild.id, { name: 'plain' }).id;
    const textHook = await createWebhook(text);
    expect((await execute(textHook, { content: 'x', thread_name: 'nope' })).body.code).toBe(220003);
  });
});
