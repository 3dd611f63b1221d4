// A small but complete data set for backup, restore and move tests: every table the bot writes that matters
// to users (clips, subscriptions, deliveries, favourites, linked accounts, sync state, clip events), with the
// awkward column types (text[], json, bigint ids, uuid, timestamptz, float) and awkward text.
import type { Database } from '../../src/db/Database.js';

const T0 = new Date('2026-11-20T12:00:00.000Z');

export interface OperationalSnapshot {
  clips: unknown[];
  subscriptions: unknown[];
  deliveries: unknown[];
  favorites: unknown[];
  twitchAccounts: unknown[];
  syncState: unknown[];
  clipEvents: unknown[];
  trackedChannels: unknown[];
}

export async function seedOperationalData(db: Database, clipCount = 30): Promise<void> {
  const { prisma } = db;
  await prisma.broadcaster.createMany({
    data: [
      {
        id: '100000201',
        login: 'backupbroadcaster',
        displayName: 'BackupBroadcaster',
        broadcasterType: 'partner',
      },
      {
        id: '100000202',
        login: 'überstreamer',
        displayName: 'Überstreamer',
        profileImageUrl: 'https://x.test/p.png',
      },
    ],
  });
  await prisma.game.create({ data: { id: '509658', name: 'Just Chatting' } });
  await prisma.trackedChannel.create({
    data: {
      broadcasterId: '100000201',
      reason: 'subscription',
      clipsIndexed: clipCount,
      clipRatePerHour: 1.25,
    },
  });
  await prisma.clip.createMany({
    data: Array.from({ length: clipCount }, (_, index) => ({
      id: `BackupClip${index}-${'x'.repeat(index % 5)}`,
      broadcasterId: index % 3 === 0 ? '100000202' : '100000201',
      creatorId: `3000${index}`,
      creatorName: `clipper_${index}`,
      gameId: index % 2 === 0 ? '509658' : null,
      language: 'en',
      // Quotes, accents, emoji and a backslash: JSON and COPY must both carry them intact.
      title: `Clip ${index}: "what" a play — café ${index % 4 === 0 ? '🎉' : ''} back\\slash`,
      viewCount: 1000 - index,
      createdAt: new Date(T0.getTime() - index * 3_600_000),
      thumbnailUrl: `https://clips.test/${index}.jpg`,
      url: `https://clips.twitch.tv/BackupClip${index}`,
      embedUrl: `https://clips.twitch.tv/embed?clip=BackupClip${index}`,
      durationSec: 12.5 + index / 10,
      vodOffset: index % 2 === 0 ? index * 60 : null,
      isFeatured: index % 7 === 0,
    })),
  });
  await prisma.guild.create({
    data: { id: '900000000000000001', name: 'Backup Guild', timezone: 'Europe/Berlin' },
  });
  const subscriptions = await Promise.all(
    ['100000201', '100000202'].map((broadcasterId, index) =>
      prisma.subscription.create({
        data: {
          guildId: '900000000000000001',
          discordChannelId: `80000000000000000${index}`,
          broadcasterId,
          keywords: ['play', 'café'],
          excludedWords: index === 0 ? ['spoiler'] : [],
          minViews: 10 * index,
          createdByUserId: '700000000000000001',
        },
      }),
    ),
  );
  const clips = await prisma.clip.findMany({
    select: { id: true, broadcasterId: true },
    orderBy: { id: 'asc' },
  });
  // Every fourth clip was posted, in a message of its own; the rest wait to be grouped into one.
  const messages = await Promise.all(
    clips.map((clip, index) =>
      index % 4 === 0
        ? prisma.deliveryMessage.create({
            data: {
              discordChannelId: `80000000000000000${clip.broadcasterId === '100000201' ? 0 : 1}`,
              status: 'sent',
              nonce: `nonce-${index}`,
              attempts: 1 + (index % 3),
              messageId: `60000000000000${index}`,
              sentAt: new Date(),
            },
          })
        : null,
    ),
  );
  await prisma.delivery.createMany({
    data: clips.map((clip, index) => ({
      subscriptionId: subscriptions[clip.broadcasterId === '100000201' ? 0 : 1]!.id,
      clipId: clip.id,
      status: index % 4 === 0 ? 'sent' : 'pending',
      deliveryMessageId: messages[index]?.id ?? null,
      messageId: messages[index]?.messageId ?? null,
    })),
  });
  await prisma.favorite.createMany({
    data: clips.slice(0, 5).map((clip) => ({ userId: '700000000000000002', clipId: clip.id })),
  });
  await prisma.twitchAccount.create({
    data: {
      twitchUserId: '100000201',
      login: 'backupbroadcaster',
      encryptedRefreshToken: 'v1:aaaa:bbbb:cccc',
      scopes: ['channel:read:subscriptions', 'moderator:read:followers'],
      linkedByDiscordUserId: '700000000000000001',
    },
  });
  await prisma.syncState.create({
    data: { key: 'helix.budget', value: { remaining: 799, nested: { ok: true } } },
  });
  await prisma.clipEvent.createMany({
    data: clips
      .slice(0, 3)
      .map((clip) => ({ kind: 'discovered', clipId: clip.id, broadcasterId: clip.broadcasterId })),
  });
}

/** Every row of the seeded tables, in a stable order, for deep comparison between two databases. */
export async function snapshotOperationalData(db: Database): Promise<OperationalSnapshot> {
  const { prisma } = db;
  return {
    clips: await prisma.clip.findMany({ orderBy: { id: 'asc' } }),
    subscriptions: await prisma.subscription.findMany({ orderBy: { id: 'asc' } }),
    deliveries: await prisma.delivery.findMany({ orderBy: { id: 'asc' } }),
    favorites: await prisma.favorite.findMany({ orderBy: { clipId: 'asc' } }),
    twitchAccounts: await prisma.twitchAccount.findMany(),
    syncState: await prisma.syncState.findMany({ orderBy: { key: 'asc' } }),
    clipEvents: await prisma.clipEvent.findMany({ orderBy: { id: 'asc' } }),
    trackedChannels: await prisma.trackedChannel.findMany(),
  };
}
