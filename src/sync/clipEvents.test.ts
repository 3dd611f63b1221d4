import { describe, expect, it } from 'vitest';
import type { ClipRecord } from '../clips/ClipRecord.js';
import { significantUpdates } from './clipEvents.js';

const clip = (title: string, viewCount: number): ClipRecord => ({
  id: 'Clip',
  broadcasterId: '1',
  creatorId: '2',
  creatorName: 'c',
  videoId: null,
  gameId: null,
  language: 'en',
  title,
  viewCount,
  createdAt: new Date(0),
  thumbnailUrl: '',
  url: '',
  embedUrl: '',
  durationSec: 30,
  vodOffset: null,
  isFeatured: false,
});

describe('significant clip updates', () => {
  it('keep title changes and view jumps of 10% (at least 10 views), drop view ticks', () => {
    const updates = [
      { clip: clip('new title', 100), previousTitle: 'old title', previousViewCount: 100 },
      { clip: clip('same', 1_100), previousTitle: 'same', previousViewCount: 1_000 },
      { clip: clip('same', 1_050), previousTitle: 'same', previousViewCount: 1_000 },
      { clip: clip('same', 9), previousTitle: 'same', previousViewCount: 0 },
    ];
    const kept = significantUpdates({ discovered: [], updated: updates }).updated;
    expect(kept).toEqual([updates[0], updates[1]]);
  });
});
