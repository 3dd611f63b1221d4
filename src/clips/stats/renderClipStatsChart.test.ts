import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ChannelClipStats } from './ChannelClipStats.js';
import { CHART_HEIGHT, CHART_WIDTH } from './buildClipStatsSvg.js';
import { renderClipStatsChart } from './renderClipStatsChart.js';
import { withoutAnyClips } from './statsTestFixtures.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Discord's smallest upload limit (non-boosted guilds); the chart should be far below it. */
const DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024;

const day = (n: number) => new Date(Date.UTC(2026, 9, 6 + n));

function monthStats(): ChannelClipStats {
  const buckets = Array.from({ length: 30 }, (_, index) => {
    const clips = (index * 7) % 23;
    return { start: day(index), clips, views: clips * ((index % 5) + 1) * 250 };
  });
  return {
    broadcasterId: '3001',
    period: 'month',
    unit: 'day',
    from: day(0),
    to: new Date('2026-11-04T15:30:00Z'),
    buckets,
    totals: {
      clips: buckets.reduce((sum, bucket) => sum + bucket.clips, 0),
      views: buckets.reduce((sum, bucket) => sum + bucket.views, 0),
      clippers: 40,
      games: 3,
    },
    topClippers: [
      { creatorId: '1', creatorName: '<script>&"x"\u0000\u202E', clips: 90, views: 90_000 },
      { creatorId: '2', creatorName: '加藤純一 😂', clips: 20, views: 2_000 },
    ],
    topGames: [{ gameId: '509658', gameName: 'Just Chatting', clips: 110, views: 92_000 }],
  };
}

/** Reads width and height from the IHDR chunk, which must follow the signature directly. */
function ihdrSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function pixel(image: PNG, x: number, y: number): string {
  const offset = (image.width * y + x) * 4;
  return Array.from(image.data.subarray(offset, offset + 3), (v) => v.toString(16).padStart(2, '0')).join('');
}

/** Pixels of a rectangle brighter than the dark background: text that was actually drawn. */
function brightPixels(image: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let count = 0;
  for (let y = y0; y < y1; y += 1) {
    for (let x = x0; x < x1; x += 1) {
      const offset = (image.width * y + x) * 4;
      if (image.data[offset]! > 180 && image.data[offset + 1]! > 180 && image.data[offset + 2]! > 180)
        count += 1;
    }
  }
  return count;
}

describe('renderClipStatsChart', () => {
  it('returns a PNG that decodes to the size it claims, with bars and text drawn', async () => {
    const chart = await renderClipStatsChart(monthStats(), {
      channelName: 'xQc & Friends',
      periodLabel: 'Last 30 days',
    });

    expect(chart.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect({ width: chart.width, height: chart.height }).toEqual({
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
    });
    expect(ihdrSize(chart.png)).toEqual({ width: chart.width, height: chart.height });
    expect(chart.png.length).toBeLessThan(DISCORD_UPLOAD_LIMIT / 20);

    const image = PNG.sync.read(chart.png); // checks every chunk's CRC and inflates the pixels
    expect({ width: image.width, height: image.height }).toEqual({
      width: chart.width,
      height: chart.height,
    });
    expect(image.data).toHaveLength(chart.width * chart.height * 4);
    expect(pixel(image, 5, 5)).toBe('1e1f22'); // background
    // The title (bundled DejaVu Sans, bold 30 px) left white pixels in its line.
    expect(brightPixels(image, 40, 25, 600, 60)).toBeGreaterThan(500);
    // Some bar of the plot is Twitch purple.
    let purple = 0;
    for (let x = 90; x < 765; x += 1) if (pixel(image, x, 580) === '9146ff') purple += 1;
    expect(purple).toBeGreaterThan(50);
  });

  it('renders the empty-period image with its message', async () => {
    const chart = await renderClipStatsChart(withoutAnyClips(monthStats()), {
      channelName: 'QuietChannel',
      periodLabel: 'All time',
    });
    const image = PNG.sync.read(chart.png);
    expect({ width: image.width, height: image.height }).toEqual({
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
    });
    // "No clips in this period", bold 26 px, centred in the plot area.
    expect(brightPixels(image, 200, 335, 660, 370)).toBeGreaterThan(300);
  });
});
