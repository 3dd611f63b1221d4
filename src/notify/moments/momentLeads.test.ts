import { describe, expect, it } from 'vitest';
import { momentLeads, type MomentPostClip } from './momentLeads.js';

let next = 0;
const clip = (overrides: Partial<MomentPostClip>): MomentPostClip => {
  next += 1;
  return {
    deliveryId: String(next),
    momentAnchor: String(next),
    title: `clip ${next}`,
    url: `https://clips.twitch.tv/c${next}`,
    thumbnailUrl: 'https://clips-media.example/t.jpg',
    viewCount: 1,
    durationSec: 30,
    createdAt: new Date('2026-12-03T12:00:00Z'),
    broadcasterName: 'Streamer',
    gameName: null,
    creatorName: `viewer${next}`,
    ...overrides,
  };
};

describe('momentLeads', () => {
  it('shows a moment once, led by its most-viewed clip, with the others as "also clipped by"', () => {
    const clips = [
      clip({ deliveryId: '10', momentAnchor: '10', viewCount: 5, creatorName: 'ann' }),
      clip({ deliveryId: '11', momentAnchor: '10', viewCount: 50, creatorName: 'bo' }),
      clip({ deliveryId: '12', momentAnchor: '10', viewCount: 7, creatorName: 'cy' }),
    ];
    const [lead, ...rest] = momentLeads(clips);
    expect(rest).toEqual([]);
    expect(lead).toMatchObject({ creatorName: 'bo', viewCount: 50, alsoClippedBy: ['ann', 'cy'] });
  });

  it('keeps moments apart and in the order they began, single clips unchanged', () => {
    const a = clip({ deliveryId: '20', momentAnchor: '20' });
    const b = clip({ deliveryId: '21', momentAnchor: '21' });
    const a2 = clip({ deliveryId: '22', momentAnchor: '20', viewCount: 9 });
    const leads = momentLeads([b, a2, a]);
    expect(leads.map((lead) => lead.url)).toEqual([a2.url, b.url]);
    expect(leads[1]).toBe(b);
    expect(leads[1]!.alsoClippedBy).toBeUndefined();
  });

  it('names the other clippers in the order they clipped, whatever order the clips were found in', () => {
    const at = (seconds: number) => new Date(Date.UTC(2026, 11, 3, 12, 0, seconds));
    const clips = [
      clip({ deliveryId: '40', momentAnchor: '40', createdAt: at(0), viewCount: 9, creatorName: 'lead' }),
      clip({ deliveryId: '41', momentAnchor: '40', createdAt: at(20), creatorName: 'late' }),
      clip({ deliveryId: '42', momentAnchor: '40', createdAt: at(10), creatorName: 'early' }),
    ];
    expect(momentLeads(clips)[0]!.alsoClippedBy).toEqual(['early', 'late']);
  });

  it('breaks a tie in views for the first clip, and names each other clipper once', () => {
    const clips = [
      clip({ deliveryId: '30', momentAnchor: '30', viewCount: 8, creatorName: 'Ann' }),
      clip({ deliveryId: '31', momentAnchor: '30', viewCount: 8, creatorName: 'bo' }),
      clip({ deliveryId: '32', momentAnchor: '30', viewCount: 1, creatorName: 'BO' }),
      clip({ deliveryId: '33', momentAnchor: '30', viewCount: 1, creatorName: 'ann' }),
    ];
    const [lead] = momentLeads(clips);
    expect(lead).toMatchObject({ creatorName: 'Ann', alsoClippedBy: ['bo'] });
  });
});
