import { describe, expect, it } from 'vitest';
import type { ClipSearchHit, ClipSearchPage } from '../clips/search/ClipSearchQuery.js';
import { clipResultsEmbed } from './clipResultsEmbed.js';

function hit(overrides: Partial<ClipSearchHit> = {}): ClipSearchHit {
  return {
    id: 'AwkwardClip',
    broadcasterId: '1',
    creatorId: '2',
    creatorName: 'clipper',
    videoId: null,
    gameId: null,
    language: 'en',
    title: 'insane clutch',
    viewCount: 12_345,
    createdAt: new Date('2026-01-02T03:04:05Z'),
    thumbnailUrl: 'https://example.test/t.jpg',
    url: 'https://clips.twitch.tv/AwkwardClip',
    embedUrl: 'https://clips.twitch.tv/embed?clip=AwkwardClip',
    durationSec: 30,
    vodOffset: null,
    isFeatured: false,
    score: null,
    ...overrides,
  };
}

function page(clips: ClipSearchHit[], overrides: Partial<ClipSearchPage> = {}): ClipSearchPage {
  return {
    clips,
    nextCursor: null,
    totalEstimate: clips.length,
    totalIsExact: true,
    mode: 'exact',
    ...overrides,
  };
}

describe('clipResultsEmbed', () => {
  it('lists each clip as a numbered link with channel, views and a Discord timestamp', () => {
    const embed = clipResultsEmbed(page([hit()]), 'Clips', new Map([['1', 'Streamer']])).toJSON();
    expect(embed.description).toBe(
      '**1.** [insane clutch](https://clips.twitch.tv/AwkwardClip) — Streamer · 12,345 views · <t:1767323045:d>',
    );
    expect(embed.footer?.text).toBe('1 clip');
  });

  it('escapes markdown in titles so a title cannot break the link or inject formatting', () => {
    const embed = clipResultsEmbed(
      page([hit({ title: '**bold** [x](evil) ~~gone~~' })]),
      'Clips',
      new Map(),
    ).toJSON();
    expect(embed.description).toContain(
      '[\\*\\*bold\\*\\* \\[x\\]\\(evil\\) \\~\\~gone\\~\\~](https://clips.twitch.tv/',
    );
  });

  it('says when the total is an estimate and when the match was fuzzy', () => {
    const embed = clipResultsEmbed(
      page([hit()], { totalEstimate: 25_000, totalIsExact: false, mode: 'fuzzy' }),
      'Clips',
      new Map(),
    ).toJSON();
    expect(embed.footer?.text).toBe('about 25,000 clips (no exact match; showing close spellings)');
  });

  it('stays within Discord embed limits for a full page of the longest titles', () => {
    const clips = Array.from({ length: 25 }, (_, i) => hit({ id: `c${i}`, title: 'x'.repeat(140) }));
    const embed = clipResultsEmbed(page(clips), 'y'.repeat(300), new Map()).toJSON();
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.description!.split('\n')).toHaveLength(25);
  });

  it('drops trailing lines rather than exceed the limit when even short titles do not fit', () => {
    const url = `https://clips.twitch.tv/${'z'.repeat(150)}`;
    const clips = Array.from({ length: 25 }, (_, i) => hit({ id: `c${i}`, url, title: '*'.repeat(140) }));
    const embed = clipResultsEmbed(page(clips), 'Clips', new Map()).toJSON();
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.description!.split('\n').length).toBeLessThan(25);
  });

  it('says so when nothing matched', () => {
    expect(clipResultsEmbed(page([]), 'Clips', new Map()).toJSON().description).toBe('No clips found.');
  });
});
