import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimBackfills } from '../../../src/sync/channelClaims.js';
import { countClips, drain, startSyncHarness, type SyncHarness } from './syncHarness.js';

let h: SyncHarness;
/** Get Clips calls an uninterrupted backfill of the seeded history needs (measured by the first test). */
let uninterruptedCalls = 0;

beforeAll(async () => {
  h = await startSyncHarness();
});

afterAll(async () => {
  await h?.close();
});

function seedChannel(login: string, seed: number): string {
  const user = h.fake.addBroadcaster({ login, createdAt: '2021-01-01T00:00:00Z' });
  // A burst far above the ~1,000-result cap inside three days, plus a thin history around it.
  h.fake.generateClips({
    broadcasterId: user.id,
    count: 2_600,
    from: '2023-03-01T00:00:00Z',
    to: '2023-03-04T00:00:00Z',
    seed,
  });
  h.fake.generateClips({
    broadcasterId: user.id,
    count: 400,
    from: '2021-01-02T00:00:00Z',
    to: '2024-05-31T00:00:00Z',
    seed: seed + 1,
  });
  return user.id;
}

describe('backfill', () => {
  it('indexes a whole history even where one window holds more clips than the ~1,000 cap', async () => {
    const id = seedChannel('bigchannel', 11);
    const sync = h.newSync({ backfillPagesPerClaim: 50 });
    await sync.trackChannel({ broadcasterId: id, reason: 'subscription' });
    const before = h.fake.callCount('clips');
    await drain(() => sync.steps.backfillDueChannels());
    uninterruptedCalls = h.fake.callCount('clips') - before;

    expect(await countClips(h.db, id)).toBe(3_000);
    const status = await sync.getChannelSyncStatus(id);
    expect(status?.backfillStatus).toBe('done');
    expect(status?.clipsIndexed).toBe(3_000);
    expect(status?.backfillPercent).toBe(100);
    expect(status?.summary).toBe('indexed 3,000 clips, history complete (2021–2024)');
    const splits = await h.registry.getSingleMetricAsString('tcs_sync_backfill_windows_total');
    expect(splits).toMatch(/result="split"} [1-9]/);
  });

  it('resumes after a crash mid-backfill from the saved window and cursor, without losing clips', async () => {
    const id = seedChannel('crashychannel', 11);
    const first = h.newSync({ backfillPagesPerClaim: 5 });
    await first.trackChannel({ broadcasterId: id, reason: 'search' });
    const start = h.fake.callCount('clips');
    await first.steps.backfillDueChannels();
    await first.steps.backfillDueChannels();
    const midway = await first.getChannelSyncStatus(id);
    expect(midway?.backfillStatus).toBe('running');
    expect(midway?.summary).toMatch(/^indexed [\d,]+ clips/);

    // The process dies holding a claim: its lease must expire before anyone else continues.
    await claimBackfills(h.db.sql, { now: h.fake.clock.nowDate(), limit: 10, leaseMs: 60_000 });
    const second = h.newSync({ backfillPagesPerClaim: 50 });
    expect(await second.steps.backfillDueChannels()).toBe(0);
    h.fake.clock.advance(61_000);

    const callsBefore = h.fake.callCount('clips');
    expect(callsBefore - start).toBe(10);
    await drain(() => second.steps.backfillDueChannels());
    const resumedCalls = h.fake.callCount('clips') - callsBefore;

    expect(await countClips(h.db, id)).toBe(3_000);
    const done = await second.getChannelSyncStatus(id);
    expect(done?.backfillStatus).toBe('done');
    expect(done?.clipsIndexed).toBe(3_000);
    // The 10 pages fetched before the crash were not fetched again: same total as without the crash.
    expect(midway!.clipsIndexed).toBeGreaterThan(0);
    expect(10 + resumedCalls).toBeLessThanOrEqual(uninterruptedCalls + 1);
    // History is not news: backfill records no clip events for the notifier.
    const [row] = await h.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM clip_events`);
    expect(Number(row?.n)).toBe(0);
  });

  it('backs off after a 5xx burst and then finishes from where it stopped', async () => {
    const user = h.fake.addBroadcaster({ login: 'flakychannel', createdAt: '2023-01-01T00:00:00Z' });
    h.fake.generateClips({
      broadcasterId: user.id,
      count: 300,
      from: '2023-01-02T00:00:00Z',
      to: '2024-05-01T00:00:00Z',
      seed: 5,
    });
    const sync = h.newSync({ backfillPagesPerClaim: 50 });
    await sync.trackChannel({ broadcasterId: user.id, reason: 'subscription' });
    h.fake.injectFault('clips', { kind: 'status', status: 502 }, 4);
    expect(await sync.steps.backfillDueChannels()).toBe(1);
    const [failed] = await h.db.sql.query<{
      backfill_errors: number;
      last_error: string;
      backfill_next_at: Date;
    }>(
      `SELECT backfill_errors, last_error, backfill_next_at FROM tracked_channels WHERE broadcaster_id = $1`,
      [user.id],
    );
    expect(failed).toMatchObject({ backfill_errors: 1, last_error: 'twitch.unavailable' });
    expect(failed!.backfill_next_at.getTime()).toBeGreaterThan(h.fake.clock.now());
    expect(await sync.steps.backfillDueChannels()).toBe(0);

    h.fake.clock.advance(failed!.backfill_next_at.getTime() - h.fake.clock.now() + 1);
    await drain(() => sync.steps.backfillDueChannels());
    expect(await countClips(h.db, user.id)).toBe(300);
    expect((await sync.getChannelSyncStatus(user.id))?.backfillStatus).toBe('done');
  }, 20_000);

  it('refuses to track a channel Twitch does not know', async () => {
    const sync = h.newSync();
    await expect(sync.trackChannel({ broadcasterId: '999999999', reason: 'search' })).rejects.toMatchObject({
      identifier: 'sync.unknownChannel',
    });
  });
});
