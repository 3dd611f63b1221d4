import { describe, expect, it } from 'vitest';
import {
  defaultMomentRule,
  findMoment,
  isSameMoment,
  momentTitleKey,
  type MomentClip,
} from './sameMoment.js';

const T0 = new Date('2026-12-03T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const clip = (overrides: Partial<MomentClip> = {}): MomentClip => ({
  broadcasterId: '1001',
  videoId: '2000000001',
  vodOffset: 3_600,
  durationSec: 30,
  createdAt: T0,
  title: 'Just Chatting with chat',
  ...overrides,
});
const noVod = (overrides: Partial<MomentClip> = {}) => clip({ videoId: null, vodOffset: null, ...overrides });

describe('isSameMoment with both clips placed in a VOD', () => {
  it('groups overlapping ranges of the same VOD, whatever their titles', () => {
    expect(isSameMoment(clip(), clip({ vodOffset: 3_620, title: 'LOL', createdAt: at(20_000) }))).toBe(true);
  });

  it('groups ranges that miss each other by no more than the tolerance', () => {
    // [3600, 3630] and [3635, 3665]: 5 s apart, the tolerance.
    expect(isSameMoment(clip(), clip({ vodOffset: 3_635 }))).toBe(true);
    expect(isSameMoment(clip({ vodOffset: 3_635 }), clip())).toBe(true);
    expect(isSameMoment(clip(), clip({ vodOffset: 3_636 }))).toBe(false);
    expect(isSameMoment(clip(), clip({ vodOffset: 3_600 - 30 - 6, durationSec: 30 }))).toBe(false);
  });

  it('never groups clips of different VODs, even with identical titles and times', () => {
    expect(isSameMoment(clip(), clip({ videoId: '2000000002' }))).toBe(false);
  });

  it('never groups clips made further apart than the VOD window (a clip made from the VOD later)', () => {
    expect(isSameMoment(clip(), clip({ createdAt: at(defaultMomentRule.vodWindowMs) }))).toBe(true);
    expect(isSameMoment(clip(), clip({ createdAt: at(defaultMomentRule.vodWindowMs + 1) }))).toBe(false);
  });

  it('lets the VOD decide when it is known: identical stream titles of two moments stay apart', () => {
    expect(isSameMoment(clip(), clip({ vodOffset: 3_700, createdAt: at(70_000) }))).toBe(false);
  });

  it('never groups clips of different broadcasters', () => {
    expect(isSameMoment(clip(), clip({ broadcasterId: '1002' }))).toBe(false);
    expect(isSameMoment(noVod(), noVod({ broadcasterId: '1002' }))).toBe(false);
  });
});

describe('isSameMoment while the VOD is not known', () => {
  it('groups the same title made within the window when either clip has no vod_offset yet', () => {
    expect(isSameMoment(noVod(), noVod({ createdAt: at(30_000) }))).toBe(true);
    expect(isSameMoment(clip(), noVod({ createdAt: at(30_000) }))).toBe(true);
    expect(isSameMoment(clip({ vodOffset: null }), clip({ vodOffset: 9_999 }))).toBe(true);
    // A video id without an offset is not a placement either (Twitch fills them in late).
    expect(isSameMoment(clip({ videoId: '' }), clip({ vodOffset: 9_999 }))).toBe(true);
  });

  it('has an inclusive window boundary', () => {
    const window = defaultMomentRule.titleWindowMs;
    expect(isSameMoment(noVod(), noVod({ createdAt: at(window) }))).toBe(true);
    expect(isSameMoment(noVod(), noVod({ createdAt: at(-window) }))).toBe(true);
    expect(isSameMoment(noVod(), noVod({ createdAt: at(window + 1) }))).toBe(false);
  });

  it('ignores case, accents, punctuation, spacing and emoji in titles', () => {
    const base = noVod({ title: 'Pokémon  Run – day 3!' });
    expect(isSameMoment(base, noVod({ title: 'POKEMON run day 3 🔥🔥' }))).toBe(true);
    expect(isSameMoment(base, noVod({ title: 'pokemon run day 4' }))).toBe(false);
    expect(isSameMoment(noVod({ title: 'LOL' }), noVod({ title: 'insane clutch' }))).toBe(false);
  });

  it('compares titles without any word as typed', () => {
    expect(isSameMoment(noVod({ title: '🔥🔥' }), noVod({ title: '🔥🔥 ' }))).toBe(true);
    expect(isSameMoment(noVod({ title: '🔥' }), noVod({ title: '😂' }))).toBe(false);
    expect(momentTitleKey('🔥')).not.toBe(momentTitleKey(''));
  });
});

describe('findMoment', () => {
  const member = (deliveryId: bigint, anchorId: bigint, overrides: Partial<MomentClip> = {}) => ({
    deliveryId,
    anchorId,
    clip: clip(overrides),
  });

  it('joins the moment of the earliest matching member, whatever the order of the list', () => {
    const members = [
      member(9n, 5n, { vodOffset: 3_610 }),
      member(5n, 5n, { vodOffset: 3_590 }),
      member(3n, 3n, { vodOffset: 1_000 }),
    ];
    expect(findMoment(clip(), members)).toBe(5n);
    expect(findMoment(clip(), [...members].reverse())).toBe(5n);
  });

  it('starts a moment of its own when nothing matches', () => {
    expect(findMoment(clip(), [member(3n, 3n, { vodOffset: 1_000 })])).toBeNull();
    expect(findMoment(clip(), [])).toBeNull();
  });
});
