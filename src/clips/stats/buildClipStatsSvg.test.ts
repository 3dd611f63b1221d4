import { describe, expect, it } from 'vitest';
import type { ChannelClipStats } from './ChannelClipStats.js';
import { withoutAnyClips } from './statsTestFixtures.js';
import {
  buildClipStatsSvg,
  CHART_HEIGHT,
  CHART_WIDTH,
  niceScale,
  niceScaleWithTicks,
} from './buildClipStatsSvg.js';

const day = (n: number) => new Date(Date.UTC(2026, 9, 29 + n));

function weekStats(overrides: Partial<ChannelClipStats> = {}): ChannelClipStats {
  const clips = [3, 0, 1, 0, 0, 7, 2];
  return {
    broadcasterId: '3001',
    period: 'week',
    unit: 'day',
    from: day(0),
    to: new Date('2026-11-04T15:30:00Z'),
    buckets: clips.map((count, index) => ({ start: day(index), clips: count, views: count * 100 })),
    totals: { clips: 13, views: 1300, clippers: 2, games: 1 },
    topClippers: [
      { creatorId: '1', creatorName: 'alice', clips: 10, views: 1000 },
      { creatorId: '2', creatorName: 'bob', clips: 3, views: 300 },
    ],
    topGames: [{ gameId: '32399', gameName: 'Counter-Strike', clips: 13, views: 1300 }],
    ...overrides,
  };
}

const bars = (svg: string) => svg.match(/<rect [^>]*fill="#9146ff"/g) ?? [];

describe('buildClipStatsSvg', () => {
  it('declares the chart size and draws one bar per bucket with clips', () => {
    const svg = buildClipStatsSvg(weekStats(), { channelName: 'StatsChannel', periodLabel: 'Last 7 days' });
    expect(svg).toContain(`width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`);
    expect(bars(svg)).toHaveLength(4);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('Last 7 days · 13 clips · 1,300 views · 2 clippers');
    expect(svg).toContain('>alice<');
    expect(svg).toContain('>Counter-Strike<');
    expect(svg).toContain('>Oct 29<');
  });

  it('escapes every name from Twitch and the caller', () => {
    const svg = buildClipStatsSvg(
      weekStats({
        topClippers: [{ creatorId: '1', creatorName: '<script>alert(1)</script>', clips: 1, views: 1 }],
        topGames: [{ gameId: '1', gameName: 'Tom & Jerry "Deluxe"', clips: 1, views: 1 }],
      }),
      { channelName: `Evil"/><image href="x`, periodLabel: 'Last <b>7</b> days' },
    );
    expect(svg).not.toMatch(/<script|<image|<b>/);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('Tom &amp; Jerry &quot;Deluxe&quot;');
    expect(svg).toContain('Clip stats · Evil&quot;/&gt;&lt;image href=&quot;x');
    expect(svg).toContain('Last &lt;b&gt;7&lt;/b&gt; days');
  });

  it('drops control characters that would make the document invalid XML', () => {
    const svg = buildClipStatsSvg(
      weekStats({
        topClippers: [{ creatorId: '1', creatorName: 'bad\u0000name\u001b', clips: 1, views: 1 }],
      }),
      { channelName: 'Chan\u0008nel', periodLabel: 'Last 7 days' },
    );
    // eslint-disable-next-line no-control-regex -- asserting that no control character survives
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(svg).toContain('>bad name<');
  });

  it('shortens long names', () => {
    const svg = buildClipStatsSvg(
      weekStats({
        topGames: [
          {
            gameId: '1',
            gameName: 'Warhammer 40,000: Dawn of War II – Chaos Rising & Retribution',
            clips: 1,
            views: 1,
          },
        ],
      }),
      { channelName: 'x'.repeat(200), periodLabel: 'Last 7 days' },
    );
    expect(svg).toContain('>Warhammer 40,000: Dawn of…<');
    expect(svg).toContain(`Clip stats · ${'x'.repeat(39)}…<`);
    expect(svg).not.toContain('x'.repeat(41));
  });

  it('names clips without a category and games missing from the games table', () => {
    const svg = buildClipStatsSvg(
      weekStats({
        topGames: [
          { gameId: null, gameName: null, clips: 2, views: 2 },
          { gameId: '999', gameName: null, clips: 1, views: 1 },
        ],
      }),
      { channelName: 'StatsChannel', periodLabel: 'Last 7 days' },
    );
    expect(svg).toContain('>No category<');
    expect(svg).toContain('>Game 999<');
    expect(svg).toContain('>1 clip · 1 view<');
  });

  it('shows a message instead of an empty chart when nothing was clipped', () => {
    const svg = buildClipStatsSvg(
      weekStats({
        buckets: weekStats().buckets.map((bucket) => ({ ...bucket, clips: 0, views: 0 })),
        totals: { clips: 0, views: 0, clippers: 0, games: 0 },
        topClippers: [],
        topGames: [],
      }),
      { channelName: 'QuietChannel', periodLabel: 'Last 7 days' },
    );
    expect(bars(svg)).toHaveLength(0);
    expect(svg).not.toContain('<polyline');
    expect(svg).toContain('No clips in this period');
    expect(svg).toContain('Nobody clipped in this period');
    expect(svg).toContain('No games in this period');
  });

  it('also handles all time on a channel without clips (no buckets at all)', () => {
    const svg = buildClipStatsSvg(withoutAnyClips(weekStats()), {
      channelName: 'QuietChannel',
      periodLabel: 'All time',
    });
    expect(svg).toContain('No clips in this period');
    expect(svg).not.toContain('NaN');
  });

  it('labels at most eight buckets on the time axis', () => {
    const buckets = Array.from({ length: 120 }, (_, index) => ({ start: day(index), clips: 1, views: 1 }));
    const svg = buildClipStatsSvg(weekStats({ buckets }), { channelName: 'c', periodLabel: 'p' });
    const labels = svg.match(/font-size="13" fill="#b5bac1" text-anchor="middle"/g) ?? [];
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.length).toBeLessThanOrEqual(8);
  });
});

describe('niceScale', () => {
  it('rounds the axis up to a whole 1, 2, 2.5 or 5 step', () => {
    expect(niceScale(37)).toEqual({ max: 40, step: 10 });
    expect(niceScale(7)).toEqual({ max: 8, step: 2 });
    expect(niceScale(1)).toEqual({ max: 1, step: 1 });
    expect(niceScale(97_000)).toEqual({ max: 100_000, step: 25_000 });
    expect(niceScale(9)).toEqual({ max: 10, step: 5 });
  });
  it('gives an empty axis a range', () => {
    expect(niceScale(0)).toEqual({ max: 4, step: 1 });
  });
});

describe('niceScaleWithTicks', () => {
  it("puts round values on the first axis's gridlines", () => {
    expect(niceScaleWithTicks(1_900_000, 3)).toEqual({ max: 3_000_000, step: 1_000_000 });
    expect(niceScaleWithTicks(97_000, 4)).toEqual({ max: 100_000, step: 25_000 });
    expect(niceScaleWithTicks(5, 4)).toEqual({ max: 8, step: 2 });
    expect(niceScaleWithTicks(0, 4)).toEqual({ max: 4, step: 1 });
  });
});
