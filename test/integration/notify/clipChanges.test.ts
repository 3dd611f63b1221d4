// A posted clip renamed or deleted on Twitch edits or removes its post, unless the guild turned that off.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/Database.js';
import type { Notifier } from '../../../src/notify/Notifier.js';
import { recordClipEvents } from '../../../src/sync/clipEvents.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.js';
import { openTestDatabase } from '../../support/databases.js';
import {
  drainNotifier,
  ingestClips,
  makeClip,
  newNotifier,
  seedBroadcaster,
  seedGuild,
  seedSubscription,
} from './notifyFixture.js';

describe('posts follow their clips', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let discord: FakeDiscord;
  let channelId: string;
  let guildId: string;
  let notifier: Notifier;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase('postgres'));
    discord = await startFakeDiscord();
    channelId = discord.fixtures.clips.id;
    guildId = discord.fixtures.guild.id;
    notifier = newNotifier(db.sql, discord);
  }, 60_000);
  afterAll(async () => {
    await discord?.close();
    await cleanup?.();
  });
  beforeEach(async () => {
    await db.sql.exec(
      `TRUNCATE clip_events, deliveries, delivery_messages, subscriptions, clips, guilds, broadcasters CASCADE`,
    );
    for (const message of discord.messagesIn(channelId)) discord.state.deleteMessage(String(message.id));
    discord.clearFaults();
    await seedBroadcaster(db.sql, '1001');
    await seedGuild(db.sql, { id: guildId });
    await seedSubscription(db.sql, { guildId, channelId });
  });

  const deleteOnTwitch = async (clipId: string) =>
    db.sql.transaction(async (tx) => {
      await tx.query(`UPDATE clips SET deleted_at = now() WHERE id = $1`, [clipId]);
      await recordClipEvents(tx, { discovered: [], updated: [] }, [{ clipId, broadcasterId: '1001' }]);
    });
  const settle = async () => {
    await drainNotifier(db.sql, notifier);
    while ((await notifier.steps.syncClipChanges()) > 0);
  };
  const titles = () =>
    discord
      .messagesIn(channelId)
      .map((message) => (message.embeds as Array<{ title: string }>).map((e) => e.title));

  it('edits the post of a renamed clip and removes the post of a deleted one', async () => {
    const clip = makeClip({ title: 'old name' });
    await ingestClips(db.sql, [clip]);
    await settle();
    expect(titles()).toEqual([['old name']]);

    await ingestClips(db.sql, [{ ...clip, title: 'new name' }]);
    await settle();
    expect(titles()).toEqual([['new name']]);

    await deleteOnTwitch(clip.id);
    await settle();
    expect(discord.messagesIn(channelId)).toHaveLength(0);
    const [row] = await db.sql.query<{ status: string }>(`SELECT status FROM delivery_messages`);
    expect(row!.status).toBe('removed');
  });

  it('drops a deleted clip from a burst post and keeps the others', async () => {
    const clips = [makeClip({ title: 'a' }), makeClip({ title: 'b' }), makeClip({ title: 'c' })];
    await ingestClips(db.sql, clips);
    await settle();
    expect(titles()).toEqual([['a', 'b', 'c']]);
    await deleteOnTwitch(clips[1]!.id);
    await settle();
    expect(titles()).toEqual([['a', 'c']]);
  });

  it('leaves posts alone when the guild turned clip-change sync off', async () => {
    await db.sql.query(`UPDATE guilds SET sync_clip_changes = false`);
    const clip = makeClip({ title: 'kept' });
    await ingestClips(db.sql, [clip]);
    await settle();
    await ingestClips(db.sql, [{ ...clip, title: 'renamed' }]);
    await deleteOnTwitch(clip.id);
    await settle();
    expect(titles()).toEqual([['kept']]);
  });

  it('retries a failing edit with backoff a bounded number of times, then gives it up', async () => {
    const registry = new Registry();
    const bounded = newNotifier(
      db.sql,
      discord,
      { worker: { maxEditAttempts: 3, retryBaseMs: 50, retryMaxMs: 100 } },
      registry,
    );
    const clip = makeClip({ title: 'before' });
    await ingestClips(db.sql, [clip]);
    await drainNotifier(db.sql, bounded);
    discord.failNext('PATCH /channels/:id/messages/:id', { status: 502, count: 100 });
    await ingestClips(db.sql, [{ ...clip, title: 'after' }]);
    await drainNotifier(db.sql, bounded);
    const editState = async () =>
      (
        await db.sql.query<{ due: boolean; edit_attempts: number; edit_next_attempt_at: Date | null }>(
          `SELECT edit_version > edited_version AS due, edit_attempts, edit_next_attempt_at FROM delivery_messages`,
        )
      )[0]!;

    const before = Date.now();
    expect(await bounded.steps.syncClipChanges()).toBe(1);
    const afterFirst = await editState();
    expect(afterFirst).toMatchObject({ due: true, edit_attempts: 1 });
    // Not retried at once: the next try waits for its backoff.
    expect(new Date(afterFirst.edit_next_attempt_at!).getTime()).toBeGreaterThan(before);

    const deadline = Date.now() + 10_000;
    while ((await editState()).due && Date.now() < deadline) {
      await bounded.steps.syncClipChanges();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await editState()).toEqual({ due: false, edit_attempts: 0, edit_next_attempt_at: null });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/tcs_notify_post_edits_total\{result="retry"\} 2/);
    expect(metrics).toMatch(/tcs_notify_post_edits_total\{result="gave_up"\} 1/);
    // Three tries, each a request and @discordjs/rest's one retry of the 502; the post keeps its old title.
    expect(discord.findRequests({ method: 'PATCH', status: 502 })).toHaveLength(6);
    expect(titles()).toEqual([['before']]);

    // A later rename is a new edit with a fresh budget.
    discord.clearFaults();
    await ingestClips(db.sql, [{ ...clip, title: 'renamed again' }]);
    await drainNotifier(db.sql, bounded);
    while ((await bounded.steps.syncClipChanges()) > 0);
    expect(titles()).toEqual([['renamed again']]);
  });
});
