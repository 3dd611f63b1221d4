import { describe, expect, it } from 'vitest';
import type { ClipRecord } from '../clips/ClipRecord.js';
import { clipResultsComponents, clipResultsEmbed, type ClipListView } from './clipResultsEmbed.js';
import { decodeCustomId } from './components/customId.js';

function clip(overrides: Partial<ClipRecord> = {}): ClipRecord {
  return {
    id: 'AwkwardClip',
    broadcasterId: '1',
    creatorId: '2',
    creatorName: 'clipper',
    videoId: null,
    gameId: '33',
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
    ...overrides,
  };
}

function view(clips: ClipRecord[], overrides: Partial<ClipListView> = {}): ClipListView {
  return {
    heading: 'Clips',
    clips,
    rankOffset: 0,
    channelNames: new Map([['1', 'Streamer']]),
    gameNames: new Map([['33', 'Chess']]),
    total: clips.length,
    totalIsExact: true,
    ...overrides,
  };
}

describe('clipResultsEmbed', () => {
  it('lists rank, linked title, channel, game, clipper, views, duration and age, with the top thumbnail', () => {
    const embed = clipResultsEmbed(view([clip()], { rankOffset: 10, page: 2, hasMorePages: true }));
    expect(embed.description).toBe(
      '**11.** [insane clutch](https://clips.twitch.tv/AwkwardClip) — Streamer · Chess · by clipper · 12,345 views · 0:30 · <t:1767323045:R>',
    );
    expect(embed.footer?.text).toBe('1 clip · page 2');
    expect(embed.thumbnail?.url).toBe('https://example.test/t.jpg');
  });

  it('escapes markdown, masked links and mentions in titles, names and the heading', () => {
    const embed = clipResultsEmbed(
      view([clip({ title: '**bold** [x](evil) @everyone', creatorName: '<@1>' })], { heading: '[a](b)' }),
    );
    expect(embed.description).toContain(
      '[\\*\\*bold\\*\\* \\[x\\]\\(evil\\) @\u200Beveryone](https://clips.twitch.tv/',
    );
    expect(embed.description).toContain('by \\<@\u200B1\\>');
    expect(embed.title).toBe('\\[a\\]\\(b\\)');
  });

  it('never links anywhere but Twitch', () => {
    const embed = clipResultsEmbed(view([clip({ url: 'https://evil.test/x) [y](z' })]));
    expect(embed.description).toContain('(https://clips.twitch.tv/AwkwardClip)');
  });

  it('says when the total is an estimate and when the match was fuzzy', () => {
    const embed = clipResultsEmbed(view([clip()], { total: 25_000, totalIsExact: false, fuzzy: true }));
    expect(embed.footer?.text).toBe('about 25,000 clips (no exact match; showing close spellings)');
  });

  it('stays within Discord embed limits for a full page of the longest titles', () => {
    const clips = Array.from({ length: 25 }, (_, i) => clip({ id: `c${i}`, title: 'x'.repeat(140) }));
    const embed = clipResultsEmbed(view(clips, { heading: 'y'.repeat(300) }));
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.description!.split('\n')).toHaveLength(25);
  });

  it('drops trailing lines rather than exceed the limit when even short titles do not fit', () => {
    const clips = Array.from({ length: 25 }, (_, i) =>
      clip({ id: `c${i}`, title: '*'.repeat(140), creatorName: '_'.repeat(40) }),
    );
    const embed = clipResultsEmbed(view(clips, { channelNames: new Map([['1', '|'.repeat(40)]]) }));
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.description!.split('\n').length).toBeLessThan(25);
  });

  it('says so when nothing matched', () => {
    expect(clipResultsEmbed(view([])).description).toBe('No clips found.');
  });
});

describe('clipResultsComponents', () => {
  it('offers a select of the page, page buttons bound to the state key, ⭐ for the top clip and a link', () => {
    const clips = Array.from({ length: 10 }, (_, i) => clip({ id: `Clip${i}`, title: `t${i}` }));
    const rows = clipResultsComponents(view(clips, { hasMorePages: true }), {
      command: 'clips',
      stateKey: 'abcdefghijkl',
      pageIndex: 0,
    });
    expect(rows).toHaveLength(2);
    const select = rows[0]!.components[0] as { custom_id: string; options: Array<{ value: string }> };
    expect(select.options.map((o) => o.value)).toEqual(clips.map((c) => c.id));
    const buttons = rows[1]!.components as Array<{ custom_id?: string; url?: string; disabled?: boolean }>;
    expect(buttons.map((b) => (b.custom_id ? decodeCustomId(b.custom_id) : b.url))).toEqual([
      { command: 'clips', action: 'page', args: ['abcdefghijkl', '0'] },
      { command: 'clips', action: 'page', args: ['abcdefghijkl', '1'] },
      { command: 'clips', action: 'save', args: ['Clip0'] },
      'https://clips.twitch.tv/AwkwardClip',
    ]);
    expect(buttons.map((b) => b.disabled ?? false)).toEqual([true, false, false, false]);
    const ids = rows.flatMap((row) => row.components.map((c) => (c as { custom_id?: string }).custom_id));
    for (const id of ids) if (id) expect(id.length).toBeLessThanOrEqual(100);
  });

  it('keeps select labels and descriptions within 100 characters whatever the title', () => {
    const rows = clipResultsComponents(view([clip({ title: '😀'.repeat(300) })]), null);
    const option = (rows[0]!.components[0] as { options: Array<{ label: string; description: string }> })
      .options[0]!;
    expect(option.label.length).toBeLessThanOrEqual(100);
    expect(option.description.length).toBeLessThanOrEqual(100);
  });
});
