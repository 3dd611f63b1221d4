import { describe, expect, it } from 'vitest';
import { findClips, ONE_WEEK_MS, SortedClipCache, type ClipSource } from './clipQuery.js';
import { HelixError } from './http.js';
import type { FakeClip } from './types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function clip(n: number, overrides: Partial<FakeClip> = {}): FakeClip {
  return {
    id: `clip${n}`,
    broadcasterId: '1',
    creatorId: '',
    creatorName: '',
    gameId: 'g1',
    language: 'en',
    title: `clip ${n}`,
    viewCount: n,
    createdAt: T0 + n * 60_000,
    durationSeconds: 30,
    isFeatured: false,
    videoId: '',
    vodOffset: null,
    visibleAt: T0,
    videoIdAt: T0,
    ...overrides,
  };
}

function sourceOf(clips: FakeClip[]): ClipSource {
  const byId = new Map(clips.map((c) => [c.id, c]));
  return {
    byId: (id) => byId.get(id),
    ofBroadcaster: (id) => clips.filter((c) => c.broadcasterId === id),
    ofGame: (id) => clips.filter((c) => c.gameId === id),
  };
}

function query(
  params: Record<string, string | string[]>,
  clips: FakeClip[],
  now = T0 + ONE_WEEK_MS * 10,
  cap = 1000,
) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const value of [v].flat()) search.append(k, value);
  return findClips({ params: search, source: sourceOf(clips), now, maxResultsPerQuery: cap });
}

function errorOf(fn: () => unknown): HelixError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HelixError) return error;
    throw error;
  }
  throw new Error('expected a HelixError');
}

describe('findClips', () => {
  const clips = Array.from({ length: 50 }, (_, i) => clip(i + 1));

  it('sorts by view count, highest first, and defaults to 20 per page', () => {
    const page = query({ broadcaster_id: '1' }, clips);
    expect(page.clips).toHaveLength(20);
    expect(page.clips[0]!.viewCount).toBe(50);
    expect(page.clips[19]!.viewCount).toBe(31);
    expect(page.cursor).toBeDefined();
  });

  it('pages with the cursor until the results run out, then omits it', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = query({ broadcaster_id: '1', first: '15', ...(cursor ? { after: cursor } : {}) }, clips);
      seen.push(...page.clips.map((c) => c.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toHaveLength(50);
    expect(new Set(seen).size).toBe(50);
  });

  it('stops the cursor at the per-query cap so lower-ranked clips are unreachable', () => {
    let total = 0;
    let cursor: string | undefined;
    do {
      const page = query(
        { broadcaster_id: '1', first: '7', ...(cursor ? { after: cursor } : {}) },
        clips,
        undefined,
        30,
      );
      total += page.clips.length;
      cursor = page.cursor;
    } while (cursor);
    expect(total).toBe(30);
  });

  it('uses started_at plus one week when ended_at is missing', () => {
    const inWeek = clip(1, { id: 'in', createdAt: T0 + ONE_WEEK_MS - 1 });
    const after = clip(2, { id: 'after', createdAt: T0 + ONE_WEEK_MS + 1 });
    const page = query({ broadcaster_id: '1', started_at: new Date(T0).toISOString() }, [inWeek, after]);
    expect(page.clips.map((c) => c.id)).toEqual(['in']);
  });

  it('hides clips until their visibility time has passed', () => {
    const late = clip(1, { id: 'late', visibleAt: T0 + 20_000 });
    expect(query({ broadcaster_id: '1' }, [late], T0 + 19_999).clips).toHaveLength(0);
    expect(query({ broadcaster_id: '1' }, [late], T0 + 20_000).clips).toHaveLength(1);
  });

  it('ignores first, dates and cursors when ids are given', () => {
    const page = query(
      { id: ['clip1', 'clip2', 'nope'], first: '1', started_at: '2030-01-01T00:00:00Z' },
      clips,
    );
    expect(page.clips.map((c) => c.id)).toEqual(['clip2', 'clip1']);
    expect(page.cursor).toBeUndefined();
  });

  it('reuses sorted results across pages only while nothing changed', () => {
    const store = new SortedClipCache();
    const list = [clip(1), clip(2, { visibleAt: T0 + 5_000 })];
    const run = (now: number, version: number) =>
      findClips({
        params: new URLSearchParams({ broadcaster_id: '1' }),
        source: sourceOf(list),
        now,
        maxResultsPerQuery: 1000,
        cache: { store, version },
      }).clips.map((c) => c.id);
    expect(run(T0, 1)).toEqual(['clip1']);
    list.push(clip(3));
    expect(run(T0 + 1, 1)).toEqual(['clip1']); // same version: cached
    expect(run(T0 + 1, 2)).toEqual(['clip3', 'clip1']); // new version: recomputed
    expect(run(T0 + 5_000, 2)).toEqual(['clip3', 'clip2', 'clip1']); // clip2 became visible
    expect(run(T0, 2)).toEqual(['clip3', 'clip1']); // clock set back
  });

  it('rejects bad parameters with a 400 and a message', () => {
    expect(errorOf(() => query({}, clips)).status).toBe(400);
    expect(errorOf(() => query({ broadcaster_id: '1', game_id: 'g1' }, clips)).status).toBe(400);
    expect(errorOf(() => query({ broadcaster_id: '1', first: '101' }, clips)).message).toMatch(/first/);
    expect(errorOf(() => query({ broadcaster_id: '1', first: '0' }, clips)).status).toBe(400);
    expect(
      errorOf(() => query({ id: Array.from({ length: 101 }, (_, i) => `c${i}`) }, clips)).message,
    ).toMatch(/id/);
    expect(errorOf(() => query({ broadcaster_id: '1', started_at: 'yesterday' }, clips)).message).toMatch(
      /RFC3339/,
    );
    expect(errorOf(() => query({ broadcaster_id: '1', after: 'garbage' }, clips)).status).toBe(400);
  });
});
