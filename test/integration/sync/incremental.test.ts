import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClipRecord } from '../../../src/clips/ClipRecord.js';
import { AppError } from '../../../src/shared/errors.js';
import { startSyncHarness, type SyncHarness } from './syncHarness.js';

let h: SyncHarness;
let seq = 0;

beforeAll(async () => {
  h = await startSyncHarness();
});

// Each test works on its own channels: earlier tests' channels would otherwise fall due as the clock moves
// and consume the faults injected for this one.
beforeEach(async () => {
  await h.db.sql.query(`DELETE FROM tracked_channels`);
  h.fake.faults.clear();
});

afterAll(async () => {
  await h?.close();
});

async function trackedChannel(sync = h.newSync()): Promise<string> {
  seq += 1;
  const user = h.fake.addBroadcaster({ login: `incchannel${seq}`, createdAt: '2020-01-01T00:00:00Z' });
  await sync.trackChannel({ broadcasterId: user.id, reason: 'subscription' });
  return user.id;
}

async function channelRow(id: string) {
  const [row] = await h.db.sql.query<{
    is_live: boolean;
    last_live_at: Date | null;
    next_poll_at: Date;
    last_polled_at: Date | null;
    consecutive_errors: number;
    last_error: string | null;
  }>(
    `SELECT is_live, last_live_at, next_poll_at, last_polled_at, consecutive_errors, last_error
       FROM tracked_channels WHERE broadcaster_id = $1`,
    [id],
  );
  return row!;
}

async function eventsFor(clipId: string): Promise<string[]> {
  const rows = await h.db.sql.query<{ kind: string }>(
    `SELECT kind FROM clip_events WHERE clip_id = $1 ORDER BY id`,
    [clipId],
  );
  return rows.map((row) => row.kind);
}

/** Advances the fake clock in `stepMs` steps, polling due channels after each. */
async function runFor(
  sync: ReturnType<SyncHarness['newSync']>,
  totalMs: number,
  stepMs: number,
): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
    h.fake.clock.advance(stepMs);
    await sync.steps.pollDueChannels();
  }
}

describe('incremental sync', () => {
  it('finds a late-appearing, low-view clip among hundreds of popular ones, once', async () => {
    const sync = h.newSync();
    const id = await trackedChannel(sync);
    const t0 = h.fake.clock.now();
    h.fake.generateClips({ broadcasterId: id, count: 2_000, from: t0 - 7 * 86_400_000, to: t0, seed: 3 });
    h.fake.goLive(id);
    await sync.steps.refreshLiveState();
    await sync.steps.pollDueChannels();

    const [{ n: eventsBefore } = { n: '0' }] = await h.db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM clip_events WHERE broadcaster_id = $1`,
      [id],
    );
    const discovered: ClipRecord[] = [];
    sync.events.on('clipDiscovered', (clip) => discovered.push(clip));
    h.fake.generateClips({
      broadcasterId: id,
      count: 300,
      from: t0,
      to: t0 + 60_000,
      seed: 4,
      maxViews: 50_000,
    });
    // Created at t0+30 s but only visible to Get Clips 2.5 minutes later; nobody watched it yet.
    const quiet = h.fake.addClip({
      broadcasterId: id,
      title: 'quiet little moment',
      viewCount: 0,
      createdAt: t0 + 30_000,
      visibleAfterMs: 150_000,
    });
    await runFor(sync, 100_000, 20_000);
    expect(discovered.some((clip) => clip.id === quiet.id)).toBe(false);
    await runFor(sync, 200_000, 20_000);

    expect(discovered.filter((clip) => clip.id === quiet.id)).toHaveLength(1);
    expect(await eventsFor(quiet.id)).toEqual(['discovered']);
    const [row] = await h.db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM clip_events WHERE broadcaster_id = $1 AND kind = 'discovered'`,
      [id],
    );
    expect(Number(row?.n) - Number(eventsBefore)).toBe(discovered.length);
    expect(discovered.length).toBeGreaterThanOrEqual(301);
  });

  it('lets two processes share the work without polling any channel twice', async () => {
    const a = h.newSync({ pollBatchSize: 15 });
    const b = h.newSync({ pollBatchSize: 15 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) ids.push(await trackedChannel(a));
    h.fake.clock.advance(1_000);
    const before = h.fake.callCount('clips');
    let polledA = 0;
    let polledB = 0;
    for (let round = 0; round < 5; round += 1) {
      const [fromA, fromB] = await Promise.all([a.steps.pollDueChannels(), b.steps.pollDueChannels()]);
      polledA += fromA;
      polledB += fromB;
    }
    expect(polledA + polledB).toBe(40);
    expect(polledA).toBeGreaterThan(0);
    expect(polledB).toBeGreaterThan(0);
    expect(h.fake.callCount('clips') - before).toBe(40);
    for (const id of ids) expect((await channelRow(id)).last_polled_at).not.toBeNull();
  });

  it('rides out a 5xx burst, backs off, and still stores the clip made during the outage', async () => {
    const sync = h.newSync();
    const id = await trackedChannel(sync);
    await sync.steps.pollDueChannels();
    const outageClip = h.fake.addClip({ broadcasterId: id, title: 'during the outage', visibleAfterMs: 0 });

    // Four 503s exhaust twurple's three retries: the poll fails and the channel backs off.
    h.fake.injectFault('clips', { kind: 'status', status: 503 }, 4);
    h.fake.clock.advance(135 * 60_000);
    expect(await sync.steps.pollDueChannels()).toBe(1);
    const failed = await channelRow(id);
    expect(failed.consecutive_errors).toBe(1);
    expect(failed.last_error).toBe('twitch.unavailable');
    expect(await eventsFor(outageClip.id)).toEqual([]);

    // Two 503s are absorbed by twurple's retries.
    h.fake.injectFault('clips', { kind: 'status', status: 503 }, 2);
    h.fake.clock.advance(failed.next_poll_at.getTime() - h.fake.clock.now() + 1);
    expect(await sync.steps.pollDueChannels()).toBe(1);
    expect(await eventsFor(outageClip.id)).toEqual(['discovered']);
    const recovered = await channelRow(id);
    expect(recovered.consecutive_errors).toBe(0);
    expect(recovered.last_error).toBeNull();
  }, 20_000);

  it('turns a malformed Helix reply into an error code and loses nothing', async () => {
    const sync = h.newSync();
    const id = await trackedChannel(sync);
    await sync.steps.pollDueChannels();
    const clip = h.fake.addClip({ broadcasterId: id, visibleAfterMs: 0 });
    h.fake.injectFault('clips', { kind: 'malformed' }, 1);
    h.fake.clock.advance(135 * 60_000);
    await sync.steps.pollDueChannels();
    const row = await channelRow(id);
    expect(row.last_error).toBe('twitch.malformedResponse');
    h.fake.clock.advance(row.next_poll_at.getTime() - h.fake.clock.now() + 1);
    await sync.steps.pollDueChannels();
    expect(await eventsFor(clip.id)).toEqual(['discovered']);
  });

  it('aborts a hanging Helix request and retries it instead of waiting for it', async () => {
    const adapter = h.newAdapter({ requestTimeoutMs: 200 });
    await adapter.getStreams(['1']);
    h.fake.injectFault('streams', { kind: 'latency', ms: 3_000 }, 1);
    const started = Date.now();
    await expect(adapter.getStreams(['1'])).resolves.toEqual([]);
    // One 200 ms timeout plus twurple's 500 ms retry delay, not the 3 s hang.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports twitch.timeout when the limiter gives up on a call', async () => {
    const adapter = h.newAdapter({ timeoutMs: 300, requestTimeoutMs: 5_000 });
    await adapter.getStreams(['1']);
    const answered = h.fake.requests('streams').length;
    h.fake.injectFault('streams', { kind: 'latency', ms: 1_000 }, 1);
    await expect(adapter.getStreams(['1'])).rejects.toMatchObject({ code: 'twitch.timeout' });
    // The request the limiter gave up on is still held by the fake: let it finish here, or it would be
    // answered during a later test (after that test expired every token, it would refresh one of its own).
    await waitUntil(async () => h.fake.requests('streams').length > answered);
  });

  it('refreshes an expired app token once and carries on', async () => {
    const adapter = h.newAdapter();
    await adapter.getStreams(['1']);
    const tokenCalls = h.fake.callCount('auth/token');
    h.fake.expireAllTokens();
    await expect(adapter.getStreams(['1'])).resolves.toEqual([]);
    expect(h.fake.callCount('auth/token')).toBe(tokenCalls + 1);
    expect(adapter.health().up).toBe(true);
  });

  it('marks Twitch unhealthy when a call is still unauthorised after the refresh, and recovers', async () => {
    const adapter = h.newAdapter();
    await adapter.getStreams(['1']);
    h.fake.injectFault('streams', { kind: 'status', status: 401 }, 2);
    const failure = await adapter.getStreams(['1']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('twitch.unauthorized');
    expect(adapter.health().up).toBe(false);
    await adapter.getStreams(['1']);
    expect(adapter.health().up).toBe(true);
  });

  it('follows live state from Get Streams and polls at once when a channel goes live or offline', async () => {
    const sync = h.newSync();
    const id = await trackedChannel(sync);
    await sync.steps.pollDueChannels();
    expect((await channelRow(id)).next_poll_at.getTime()).toBeGreaterThan(h.fake.clock.now() + 60_000);

    h.fake.goLive(id);
    h.fake.clock.advance(121_000);
    while ((await sync.steps.refreshLiveState()) > 0);
    const live = await channelRow(id);
    expect(live.is_live).toBe(true);
    expect(live.next_poll_at.getTime()).toBeLessThanOrEqual(h.fake.clock.now());

    await sync.steps.pollDueChannels();
    h.fake.goOffline(id);
    h.fake.clock.advance(121_000);
    while ((await sync.steps.refreshLiveState()) > 0);
    const offline = await channelRow(id);
    expect(offline.is_live).toBe(false);
    expect(offline.last_live_at?.getTime()).toBe(h.fake.clock.now());
    expect(offline.next_poll_at.getTime()).toBeLessThanOrEqual(h.fake.clock.now());
  });

  it('re-checks recent clips by id and records deletions in the outbox', async () => {
    const sync = h.newSync({ recheckIntervalMs: 3_600_000 });
    const id = await trackedChannel(sync);
    const kept = h.fake.addClip({ broadcasterId: id, visibleAfterMs: 0, viewCount: 5 });
    const doomed = h.fake.addClip({ broadcasterId: id, visibleAfterMs: 0 });
    h.fake.clock.advance(1_000);
    await sync.steps.pollDueChannels();
    expect(await eventsFor(doomed.id)).toEqual(['discovered']);

    const deleted: string[] = [];
    sync.events.on('clipDeleted', (event) => deleted.push(event.clipId));
    h.fake.deleteClip(doomed.id);
    h.fake.addViews(kept.id, 10);
    h.fake.clock.advance(3_600_001);
    while ((await sync.steps.recheckClips()) > 0);

    expect(deleted).toEqual([doomed.id]);
    expect(await eventsFor(doomed.id)).toEqual(['discovered', 'deleted']);
    expect(await eventsFor(kept.id)).toEqual(['discovered', 'updated']);
    const [row] = await h.db.sql.query<{ deleted_at: Date | null }>(
      `SELECT deleted_at FROM clips WHERE id = $1`,
      [doomed.id],
    );
    expect(row?.deleted_at).not.toBeNull();
  });

  it('stretches every poll interval evenly when the tracked channels need more calls than the budget', async () => {
    // Budget 10 calls/min; 3 live channels at 60 s plus one Get Streams call every 2 minutes need 3.5.
    const roomy = h.newSync({ schedule: { budgetPerMinute: 10 } });
    const ids = [await trackedChannel(roomy), await trackedChannel(roomy), await trackedChannel(roomy)];
    for (const id of ids) h.fake.goLive(id);
    await roomy.steps.refreshLiveState();
    expect(await roomy.steps.refreshSchedule()).toBe(1);

    const tight = h.newSync({ schedule: { budgetPerMinute: 1.75 } });
    expect(await tight.steps.refreshSchedule()).toBeCloseTo(2);
    while ((await tight.steps.pollDueChannels()) > 0);
    const next = (await channelRow(ids[0]!)).next_poll_at.getTime() - h.fake.clock.now();
    // 60 s × 2, ±10% jitter.
    expect(next).toBeGreaterThanOrEqual(108_000);
    expect(next).toBeLessThanOrEqual(132_000);
    for (const id of ids) h.fake.goOffline(id);
  });

  it('reads the live state of 100 channels in one Get Streams call even when more than 20 are live', async () => {
    const adapter = h.newAdapter();
    const users = Array.from({ length: 100 }, (_, i) => h.fake.addBroadcaster({ login: `streamsbatch${i}` }));
    for (const user of users.slice(0, 35)) h.fake.goLive(user.id);
    const since = Date.now();
    const streams = await adapter.getStreams(users.map((user) => user.id));
    // One batch: a single successful request asking for all 100 at once (first=100, no paging by 20). A
    // throttled or failed attempt that twurple retried is the same batch, so only successes are counted.
    const requests = h.fake.requests('streams').filter((request) => request.at >= since);
    const succeeded = requests.filter((request) => request.status === 200);
    expect(succeeded, JSON.stringify(requests.map((r) => r.status))).toHaveLength(1);
    expect(succeeded[0]!.query.first).toEqual(['100']);
    expect(succeeded[0]!.query.user_id).toHaveLength(100);
    expect(new Set(streams.map((stream) => stream.userId))).toEqual(
      new Set(users.slice(0, 35).map((u) => u.id)),
    );
    for (const user of users.slice(0, 35)) h.fake.goOffline(user.id);
  });

  it("picks up a renamed channel's new login from Get Streams", async () => {
    const sync = h.newSync();
    const id = await trackedChannel(sync);
    h.fake.renameBroadcaster(id, { login: 'brandnewname', displayName: 'BrandNewName' });
    h.fake.goLive(id);
    while ((await sync.steps.refreshLiveState()) > 0);
    const [row] = await h.db.sql.query<{ login: string; display_name: string }>(
      `SELECT login, display_name FROM broadcasters WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ login: 'brandnewname', display_name: 'BrandNewName' });
    h.fake.goOffline(id);
  });

  it('runs its loops in the background until stopped', async () => {
    const sync = h.newSync();
    const id = await trackedChannel(sync);
    const game = h.fake.addGame({ name: 'Speedrun Simulator' });
    const clip = h.fake.addClip({ broadcasterId: id, visibleAfterMs: 0, gameId: game.id });
    h.fake.clock.advance(1_000);
    sync.start();
    await waitUntil(async () => (await eventsFor(clip.id)).length === 1);
    // The clip's game is stored too, so search can show and autocomplete its name.
    await waitUntil(
      async () =>
        (await h.db.sql.query(`SELECT 1 FROM games WHERE id = $1 AND name = 'Speedrun Simulator'`, [game.id]))
          .length === 1,
    );
    await sync.stop();
    expect((await channelRow(id)).last_polled_at).not.toBeNull();
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
