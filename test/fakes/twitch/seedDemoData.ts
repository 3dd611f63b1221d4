import type { FakeTwitch } from './FakeTwitch.js';

export interface DemoSeed {
  broadcasterIds: string[];
  gameIds: string[];
  clipCount: number;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * A small, deterministic world for running the bot by hand: three channels (one live), three games and a few
 * hundred clips over the last 30 days, plus one clip that appears 20 s after start-up so live posting can be seen.
 */
export function seedDemoData(fake: FakeTwitch, now = Date.now()): DemoSeed {
  const games = [
    fake.addGame({ id: '509658', name: 'Just Chatting' }),
    fake.addGame({ id: '504461', name: 'Super Smash Bros. Ultimate' }),
    fake.addGame({ id: '490744', name: 'Celeste' }),
  ];
  const channels = [
    fake.addBroadcaster({
      id: '141981764',
      login: 'twitchdev',
      displayName: 'TwitchDev',
      broadcasterType: 'partner',
    }),
    fake.addBroadcaster({
      id: '100000101',
      login: 'speedyrunner',
      displayName: 'SpeedyRunner',
      gameId: '490744',
    }),
    fake.addBroadcaster({
      id: '100000102',
      login: 'chattykat',
      displayName: 'ChattyKat',
      broadcasterType: 'affiliate',
    }),
  ];
  const viewers = [fake.addBroadcaster({ id: '100000201', login: 'clipfan', displayName: 'ClipFan' })];
  let clipCount = 0;
  channels.forEach((channel, i) => {
    clipCount += fake.generateClips({
      broadcasterId: channel.id,
      count: 150,
      from: now - 30 * DAY,
      to: now - 60_000,
      gameIds: games.map((g) => g.id),
      creatorIds: viewers.map((v) => v.id),
      seed: i + 1,
      visibleAfterMs: 0,
      titlePrefix: channel.displayName,
    }).length;
  });
  fake.goLive(channels[1]!.id, { title: 'Any% attempts', gameId: '490744', viewerCount: 321 });
  fake.addClip({
    broadcasterId: channels[1]!.id,
    title: 'Fresh clip from the live stream',
    createdAt: now,
    gameId: '490744',
    creatorId: viewers[0]!.id,
    viewCount: 1,
    visibleAfterMs: 20_000,
  });
  return {
    broadcasterIds: channels.map((c) => c.id),
    gameIds: games.map((g) => g.id),
    clipCount: clipCount + 1,
  };
}
