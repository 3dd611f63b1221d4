import type { ClipPostClip } from '../clipPostMessage.js';

/** A clip of a post with the moment it belongs to. */
export interface MomentPostClip extends ClipPostClip {
  deliveryId: string;
  /** The delivery of the moment's first clip (the delivery itself for a clip posted on its own). */
  momentAnchor: string;
}

function byDeliveryId(a: MomentPostClip, b: MomentPostClip): number {
  const diff = BigInt(a.deliveryId) - BigInt(b.deliveryId);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** The order viewers clipped in (the order clips were found in when made in the same millisecond). */
function byClipTime(a: MomentPostClip, b: MomentPostClip): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || byDeliveryId(a, b);
}

/**
 * What a post shows of its clips: one entry (one embed) per moment, in the order the moments began. Each
 * is the moment's most-viewed clip (on a tie, the first clipped) with `alsoClippedBy`: the other clips'
 * clippers in the order they clipped, each name once, without the lead's own clipper. A clip alone in its
 * moment is shown as it is.
 */
export function momentLeads(clips: readonly MomentPostClip[]): ClipPostClip[] {
  const moments = new Map<string, MomentPostClip[]>();
  for (const clip of [...clips].sort(byDeliveryId)) {
    const members = moments.get(clip.momentAnchor);
    if (members === undefined) moments.set(clip.momentAnchor, [clip]);
    else members.push(clip);
  }
  return [...moments.values()].map((found) => {
    const members = found.sort(byClipTime);
    const lead = members.reduce((best, clip) => (clip.viewCount > best.viewCount ? clip : best));
    if (members.length === 1) return lead;
    const seen = new Set([lead.creatorName.toLowerCase()]);
    const alsoClippedBy: string[] = [];
    for (const clip of members) {
      const key = clip.creatorName.toLowerCase();
      if (clip === lead || seen.has(key)) continue;
      seen.add(key);
      alsoClippedBy.push(clip.creatorName);
    }
    return { ...lead, alsoClippedBy };
  });
}
