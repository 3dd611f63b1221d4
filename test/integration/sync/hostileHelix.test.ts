// Twitch replies the bot must survive: malformed items (missing, null, wrongly typed fields) fed through the
// real adapter over HTTP, and cursors that never end. Nothing may throw anything but a twitch.* AppError,
// nothing unreadable may be stored or taken as "deleted", and no cursor may spend the budget forever.
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/cache/MemoryCache.js';
import { autocompleteChannels } from '../../../src/clips/search/autocomplete.js';
import { AppError } from '../../../src/shared/errors.js';
import { createHelixLimiter } from '../../../src/twitch/helixLimiter.js';
import { createTwitchAdapter } from '../../../src/twitch/TwitchAdapter.js';
import { TWITCH_LOGIN } from '../../../src/twitch/twitchIdentifiers.js';
import { testLogger } from '../../support/databases.js';
import { occupyLimiter } from '../../support/occupyLimiter.js';
import { startSyncHarness, type SyncHarness } from './syncHarness.js';

let h: SyncHarness;
let seq = 0;

beforeAll(async () => {
  h = await startSyncHarness();
});
beforeEach(async () => {
  await h.db.sql.query(`DELETE FROM tracked_channels`);
  h.fake.faults.clear();
});
afterAll(async () => {
  await h?.close();
});

async function trackedChannel(sync: ReturnType<SyncHarness['newSync']>): Promise<string> {
  seq += 1;
  const user = h.fake.addBroadcaster({ login: `hostile${seq}`, createdAt: '2024-05-31T00:00:00Z' });
  await sync.trackChannel({ broadcasterId: user.id, reason: 'subscription' });
  return user.id;
}

/** Any JSON value of the wrong kind for a field, or the field missing (undefined is dropped by JSON). */
const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(''),
  fc.constant('\u0000'),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

/** A Helix item: every field either valid-looking or junk. */
function item(valid: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(
    Object.entries(valid).map(([key, arbitrary]) => [key, fc.oneof(arbitrary, junk)]),
  );
  return fc.oneof({ weight: 8, arbitrary: fc.record(fields) }, { weight: 1, arbitrary: junk });
}

const id = fc.stringMatching(/^[0-9]{1,12}$/);
// Helix sends logins in lower case; the rule's short bound covers the older accounts with 1–3 characters.
const login = fc.stringMatching(TWITCH_LOGIN).map((value) => value.toLowerCase());
const date = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
const clipItem = item({
  id: fc.string({ minLength: 1 }),
  broadcaster_id: id,
  created_at: date,
  creator_id: id,
  creator_name: fc.string({ unit: 'grapheme' }),
  video_id: id,
  game_id: id,
  language: fc.string(),
  title: fc.string({ unit: 'grapheme' }),
  view_count: fc.nat(),
  thumbnail_url: fc.webUrl(),
  url: fc.webUrl(),
  embed_url: fc.webUrl(),
  duration: fc.double({ min: 0, max: 60, noNaN: true }),
  vod_offset: fc.option(fc.nat()),
  is_featured: fc.boolean(),
});
const userItem = item({
  id,
  login,
  display_name: fc.string({ unit: 'grapheme' }),
  profile_image_url: fc.webUrl(),
  broadcaster_type: fc.constantFrom('', 'partner', 'affiliate'),
  created_at: date,
});
const streamItem = item({
  user_id: id,
  user_login: login,
  user_name: fc.string({ unit: 'grapheme' }),
  game_id: id,
  title: fc.string({ unit: 'grapheme' }),
  viewer_count: fc.nat(),
  started_at: date,
});
const gameItem = item({ id, name: fc.string({ unit: 'grapheme' }), box_art_url: fc.webUrl() });
const channelItem = item({
  id,
  broadcaster_login: login,
  display_name: fc.string({ unit: 'grapheme' }),
  is_live: fc.boolean(),
  game_id: id,
  thumbnail_url: fc.webUrl(),
});
/** A whole reply: usually `{ data: [...], pagination }`, sometimes something else entirely. */
function reply(items: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        data: fc.array(items, { maxLength: 4 }),
        pagination: fc.oneof(junk, fc.record({ cursor: junk })),
      }),
    },
    { weight: 1, arbitrary: fc.record({ data: junk }) },
    { weight: 1, arbitrary: junk },
  );
}

function expectTwitchErrorOnly(error: unknown): void {
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toMatch(/^twitch\./);
}

const nonEmpty = (value: unknown) =>
  typeof value === 'string' && value.length > 0 && !value.includes('\u0000');
const validDate = (value: unknown) => value instanceof Date && !Number.isNaN(value.getTime());

describe('malformed Helix payloads through the adapter', () => {
  // One adapter, whose lookup caches are bypassed by asking for ids never asked before.
  let adapter: ReturnType<SyncHarness['newAdapter']>;
  let next = 0;
  const fresh = () => `9${String((next += 1)).padStart(8, '0')}`;
  beforeAll(() => {
    adapter = h.newAdapter();
  });

  async function served<T>(endpoint: string, body: unknown, run: () => Promise<T>): Promise<T | undefined> {
    h.fake.injectFault(endpoint, { kind: 'body', body });
    try {
      return await run();
    } catch (error) {
      expectTwitchErrorOnly(error);
      return undefined;
    } finally {
      h.fake.faults.clear();
    }
  }

  it('returns only well-formed clips, or a twitch.* error', async () => {
    await fc.assert(
      fc.asyncProperty(reply(clipItem), async (body) => {
        const page = await served('clips', body, () =>
          adapter.getClipsPage({
            broadcasterId: '1',
            startedAt: new Date('2024-01-01T00:00:00Z'),
            endedAt: new Date('2024-01-02T00:00:00Z'),
            priority: 'incremental',
          }),
        );
        for (const clip of page?.clips ?? []) {
          expect(nonEmpty(clip.id) && nonEmpty(clip.broadcasterId) && validDate(clip.createdAt)).toBe(true);
          expect(Number.isInteger(clip.viewCount) && clip.viewCount >= 0).toBe(true);
          expect(typeof clip.title === 'string' && !clip.title.includes('\u0000')).toBe(true);
          expect(Number.isFinite(clip.durationSec)).toBe(true);
        }
        expect(page?.cursor === undefined || page.cursor === null || nonEmpty(page.cursor)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('returns only users, streams, games and channels it can use, or a twitch.* error', async () => {
    await fc.assert(
      fc.asyncProperty(
        reply(userItem),
        reply(streamItem),
        reply(gameItem),
        reply(channelItem),
        async (u, s, g, c) => {
          for (const user of (await served('users', u, () => adapter.getUsersByIds([fresh()]))) ?? []) {
            expect(nonEmpty(user.id) && nonEmpty(user.login) && validDate(user.createdAt)).toBe(true);
          }
          for (const stream of (await served('streams', s, () => adapter.getStreams([fresh()]))) ?? []) {
            expect(nonEmpty(stream.userId) && typeof stream.userLogin === 'string').toBe(true);
            expect(validDate(stream.startedAt)).toBe(true);
          }
          for (const game of (await served('games', g, () => adapter.getGamesByIds([fresh()]))) ?? []) {
            expect(nonEmpty(game.id) && nonEmpty(game.name)).toBe(true);
          }
          for (const channel of (await served('search/channels', c, () => adapter.searchChannels(fresh()))) ??
            []) {
            expect(nonEmpty(channel.id) && nonEmpty(channel.login)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('bad Twitch data in the sync', () => {
  it('never marks a clip deleted because its re-check reply could not be read', async () => {
    const sync = h.newSync({ recheckIntervalMs: 3_600_000 });
    const channel = await trackedChannel(sync);
    const unreadable = h.fake.addClip({ broadcasterId: channel, visibleAfterMs: 0 });
    const gone = h.fake.addClip({ broadcasterId: channel, visibleAfterMs: 0 });
    h.fake.clock.advance(1_000);
    await sync.steps.pollDueChannels();
    h.fake.clock.advance(3_600_001);
    // Twitch answers with the first clip (created_at not a date: unreadable) and without the second (deleted).
    h.fake.injectFault('clips', {
      kind: 'body',
      body: {
        data: [{ id: unreadable.id, broadcaster_id: channel, created_at: 'yesterday' }],
        pagination: {},
      },
    });
    await sync.steps.recheckClips();
    const rows = await h.db.sql.query<{ id: string; deleted: boolean }>(
      `SELECT id, deleted_at IS NOT NULL AS deleted FROM clips WHERE broadcaster_id = $1 ORDER BY id`,
      [channel],
    );
    expect(Object.fromEntries(rows.map((row) => [row.id, row.deleted]))).toEqual({
      [unreadable.id]: false,
      [gone.id]: true,
    });
  });

  it('marks no clip of a re-check batch deleted when an unreadable item has no id', async () => {
    const sync = h.newSync({ recheckIntervalMs: 3_600_000 });
    const channel = await trackedChannel(sync);
    h.fake.addClip({ broadcasterId: channel, visibleAfterMs: 0 });
    h.fake.clock.advance(1_000);
    await sync.steps.pollDueChannels();
    h.fake.clock.advance(3_600_001);
    h.fake.injectFault('clips', { kind: 'body', body: { data: [{ id: null, title: 7 }], pagination: {} } });
    expect(await sync.steps.recheckClips()).toBeGreaterThan(0);
    const [row] = await h.db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM clips WHERE broadcaster_id = $1 AND deleted_at IS NOT NULL`,
      [channel],
    );
    expect(row?.n).toBe('0');
  });

  it('keeps a live stream whose login is null, without storing the null', async () => {
    const sync = h.newSync();
    const channel = await trackedChannel(sync);
    h.fake.injectFault('streams', {
      kind: 'body',
      body: {
        data: [{ user_id: channel, user_login: null, user_name: null, started_at: null }],
        pagination: {},
      },
    });
    h.fake.clock.advance(121_000);
    await sync.steps.refreshLiveState();
    const [row] = await h.db.sql.query<{ is_live: boolean; login: string }>(
      `SELECT t.is_live, b.login FROM tracked_channels t JOIN broadcasters b ON b.id = t.broadcaster_id
        WHERE t.broadcaster_id = $1`,
      [channel],
    );
    expect(row).toEqual({ is_live: true, login: `hostile${seq}` });
  });

  it('skips a user whose login is null instead of failing the lookup', async () => {
    const adapter = h.newAdapter();
    h.fake.injectFault('users', {
      kind: 'body',
      body: {
        data: [
          { id: '123', login: null },
          { id: '124', login: 'fine_user', created_at: '2020-01-01T00:00:00Z' },
        ],
      },
    });
    const users = await adapter.getUsersByIds(['123', '124']);
    expect(users.map((user) => user.login)).toEqual(['fine_user']);
  });
});

describe('cursors that never end', () => {
  const loop = { kind: 'body', body: { data: [], pagination: { cursor: 'same-cursor-again' } } } as const;

  it('stops an incremental poll whose cursor repeats, keeps the channel healthy, and counts it', async () => {
    const sync = h.newSync();
    const channel = await trackedChannel(sync);
    h.fake.injectFault('clips', loop, 100);
    const before = h.fake.callCount('clips');
    await sync.steps.pollDueChannels();
    expect(h.fake.callCount('clips') - before).toBe(2);
    const [row] = await h.db.sql.query<{ last_error: string | null; last_polled_at: Date | null }>(
      `SELECT last_error, last_polled_at FROM tracked_channels WHERE broadcaster_id = $1`,
      [channel],
    );
    expect(row).toEqual({ last_error: null, last_polled_at: expect.any(Date) });
    const metric = await h.registry.getSingleMetricAsString('tcs_sync_clip_paging_stopped_total');
    expect(metric).toMatch(/path="incremental",reason="repeated_cursor"} [1-9]/);
  });

  it('caps the pages of a window whose cursors never end', async () => {
    const sync = h.newSync({ maxPagesPerWindow: 5 });
    await trackedChannel(sync);
    for (let page = 0; page < 100; page += 1) {
      h.fake.injectFault('clips', {
        kind: 'body',
        body: { data: [], pagination: { cursor: `new-${page}` } },
      });
    }
    const before = h.fake.callCount('clips');
    await sync.steps.pollDueChannels();
    expect(h.fake.callCount('clips') - before).toBe(5);
    const metric = await h.registry.getSingleMetricAsString('tcs_sync_clip_paging_stopped_total');
    expect(metric).toMatch(/path="incremental",reason="page_cap"} [1-9]/);
  });

  it('moves a backfill on to the next window when its cursor repeats', async () => {
    const sync = h.newSync({ backfillPagesPerClaim: 6 });
    const channel = await trackedChannel(sync);
    h.fake.injectFault('clips', loop, 100);
    await sync.steps.backfillDueChannels();
    const [row] = await h.db.sql.query<{ backfill_page_cursor: string | null; last_error: string | null }>(
      `SELECT backfill_page_cursor, last_error FROM tracked_channels WHERE broadcaster_id = $1`,
      [channel],
    );
    expect(row).toEqual({ backfill_page_cursor: null, last_error: null });
    const metric = await h.registry.getSingleMetricAsString('tcs_sync_clip_paging_stopped_total');
    expect(metric).toMatch(/path="backfill",reason="repeated_cursor"} [1-9]/);
  });
});

describe('interactive Twitch calls', () => {
  function adapterWith(limits: Parameters<typeof createHelixLimiter>[0], cache?: MemoryCache) {
    const limiter = createHelixLimiter(limits);
    h.limiters.push(limiter);
    const adapter = createTwitchAdapter({
      clientId: h.fake.clientId,
      clientSecret: h.fake.clientSecret,
      logger: testLogger(),
      limiter,
      ...(cache ? { cache } : {}),
    });
    return { adapter, limiter };
  }

  it('answers a repeated channel search from the cache', async () => {
    const { adapter } = adapterWith({ budgetPerMinute: 6_000 }, new MemoryCache());
    h.fake.addBroadcaster({ login: 'cachedsearch' });
    const before = h.fake.callCount('search/channels');
    const first = await adapter.searchChannels('cachedsea', 5);
    expect(await adapter.searchChannels('CachedSea ', 5)).toEqual(first);
    expect(first.map((channel) => channel.login)).toContain('cachedsearch');
    expect(h.fake.callCount('search/channels') - before).toBe(1);
  });

  it('drops the channel search of an autocomplete that stopped waiting for it', async () => {
    const { adapter, limiter } = adapterWith({ budgetPerMinute: 6_000, maxConcurrent: 1 });
    // The only slot is busy, so the search waits in the limiter past autocomplete's 1.5 s.
    const slot = await occupyLimiter(limiter);
    const before = h.fake.callCount('search/channels');
    const suggestions = await autocompleteChannels(
      { db: h.db, logger: testLogger(), directory: adapter },
      { query: 'nobodyknowsthisprefix' },
    );
    expect(suggestions).toEqual([]);
    await slot.release();
    await limiter.schedule('incremental', async () => undefined);
    expect(h.fake.callCount('search/channels') - before).toBe(0);
  });
});
