/**
 * When two clips show the same moment of a stream. Pure: the fan-out groups with it, and its tests pin the
 * rule down. Documented in docs/notifications.md ("Moments").
 */
import { foldedWords } from '../clipMatchesSubscription.js';

/** What the rule looks at in a clip (as Get Clips reports it; `videoId`/`vodOffset` fill in late). */
export interface MomentClip {
  broadcasterId: string;
  videoId: string | null;
  /** Seconds into the VOD where the clip starts; null until Twitch has made the VOD (minutes later). */
  vodOffset: number | null;
  durationSec: number;
  createdAt: Date;
  title: string;
}

export interface MomentRule {
  /**
   * Seconds two clips' VOD ranges may miss each other by and still be one moment: offsets are whole
   * seconds and viewers press "clip" a few seconds apart for the same play.
   */
  vodToleranceSec: number;
  /**
   * Clips made further apart than this are never one moment, even on one VOD: a clip made from the VOD
   * hours later is not news about the moment that was posted, and the post is not edited for it.
   */
  vodWindowMs: number;
  /** Without a VOD: clips with the same title made at most this far apart are one moment. */
  titleWindowMs: number;
  /**
   * For this long after a clip's creation, its growing views may make it the lead of its posted moment
   * (the post is edited when it overtakes the current lead); afterwards the post stays as it is.
   */
  leadWindowMs: number;
}

export const defaultMomentRule: MomentRule = {
  vodToleranceSec: 5,
  vodWindowMs: 10 * 60_000,
  titleWindowMs: 2 * 60_000,
  leadWindowMs: 24 * 3_600_000,
};

/** Whether Twitch has placed the clip in a VOD yet. */
function knowsVod(clip: MomentClip): clip is MomentClip & { videoId: string; vodOffset: number } {
  return clip.videoId !== null && clip.videoId !== '' && clip.vodOffset !== null;
}

/**
 * The title as the rule compares it: its words folded as the search folds them (NFKC, unaccented, lower
 * case), so case, accents, punctuation, spacing and emoji do not matter. A title with no word at all (only
 * emoji or symbols) is compared as typed, so "🔥" and "😂" stay two titles.
 */
export function momentTitleKey(title: string): string {
  const words = foldedWords(title);
  return words.length > 0 ? words.join(' ') : `\u0000${title.trim()}`;
}

/** Folding is the costly part of a comparison; the fan-out compares each clip with many. */
const titleKeys = new WeakMap<MomentClip, string>();

function titleKeyOf(clip: MomentClip): string {
  let key = titleKeys.get(clip);
  if (key === undefined) titleKeys.set(clip, (key = momentTitleKey(clip.title)));
  return key;
}

/**
 * Same moment when both clips are placed in a VOD: the same VOD, made within `vodWindowMs`, and their
 * ranges [vod_offset, vod_offset + duration] overlap (give or take `vodToleranceSec`). When either has no
 * VOD yet: the same broadcaster, made within `titleWindowMs`, with the same `momentTitleKey`. An untitled
 * clip carries the stream's title, so untitled clips of one moment have identical titles; clips that
 * viewers named differently ("LOL", "insane clutch") are not linked without a VOD.
 */
export function isSameMoment(a: MomentClip, b: MomentClip, rule: MomentRule = defaultMomentRule): boolean {
  if (a.broadcasterId !== b.broadcasterId) return false;
  const apartMs = Math.abs(a.createdAt.getTime() - b.createdAt.getTime());
  if (knowsVod(a) && knowsVod(b)) {
    if (a.videoId !== b.videoId || apartMs > rule.vodWindowMs) return false;
    const tolerance = rule.vodToleranceSec;
    return (
      a.vodOffset <= b.vodOffset + b.durationSec + tolerance &&
      b.vodOffset <= a.vodOffset + a.durationSec + tolerance
    );
  }
  return apartMs <= rule.titleWindowMs && titleKeyOf(a) === titleKeyOf(b);
}

/** A clip already delivered to a subscription, as a candidate moment to join (the fan-out passes first clips). */
export interface MomentMember {
  deliveryId: bigint;
  /** The delivery of the moment's first clip (the member itself when it started the moment). */
  anchorId: bigint;
  clip: MomentClip;
}

/**
 * The moment a new clip joins: that of the earliest member (by delivery id) showing the same moment, or
 * null when it starts a moment of its own. "Same moment" is not transitive (A overlaps B, B overlaps C);
 * joining the earliest match keeps the answer independent of the order members are listed in.
 */
export function findMoment(
  clip: MomentClip,
  members: readonly MomentMember[],
  rule: MomentRule = defaultMomentRule,
): bigint | null {
  let best: MomentMember | null = null;
  for (const member of members) {
    if ((best === null || member.deliveryId < best.deliveryId) && isSameMoment(clip, member.clip, rule)) {
      best = member;
    }
  }
  return best?.anchorId ?? null;
}
