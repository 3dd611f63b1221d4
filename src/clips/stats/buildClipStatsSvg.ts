import type { ChannelClipStats, ClipStatsBucket, ClipStatsBucketUnit } from './ChannelClipStats.js';
import { escapeXml, fitText } from './svgText.js';

/** Pixel size of the chart: readable in Discord's inline preview, a few tens of KB as PNG. */
export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 700;

/** The one font family the SVG names; the renderer loads it from the dejavu-fonts-ttf package. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

export interface ClipStatsSvgOptions {
  /** Shown in the heading (a Twitch display name: escaped and shortened here). */
  channelName: string;
  /** E.g. "Last 7 days"; shown under the heading. */
  periodLabel: string;
}

const COLORS = {
  background: '#1e1f22',
  text: '#f2f3f5',
  muted: '#b5bac1',
  grid: '#3a3c42',
  bars: '#9146ff', // Twitch purple
  views: '#ffb347',
};

// Plot area and side panel, in pixels.
const PLOT = { left: 90, right: 765, top: 140, bottom: 590 };
const PANEL_X = 850;
const MAX_X_LABELS = 8;
/** Dots on the views line only while they stay apart. */
const MAX_DOTS = 60;

const UNIT_NOUNS: Record<ClipStatsBucketUnit, string> = {
  hour: 'hour',
  day: 'day',
  week: 'week (from Monday)',
  month: 'month',
};

const integer = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** The smallest whole step of 1, 2, 2.5 or 5 × 10^k (at least 1) that is at least `rough`. */
function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const candidates = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).filter((step) => Number.isInteger(step));
  return Math.max(
    1,
    candidates.find((candidate) => candidate >= rough)!,
  );
}

/** Axis maximum and step: 1, 2, 2.5 or 5 × 10^k, about four to five gridlines, integers only. */
export function niceScale(max: number): { max: number; step: number } {
  if (max <= 0) return { max: 4, step: 1 };
  const step = niceStep(max / 4);
  return { max: Math.ceil(max / step) * step, step };
}

/** A second axis sharing the first one's gridlines: exactly `ticks` steps of a round size. */
export function niceScaleWithTicks(max: number, ticks: number): { max: number; step: number } {
  const step = max <= 0 ? 1 : niceStep(max / ticks);
  return { max: step * ticks, step };
}

function bucketLabel(start: Date, unit: ClipStatsBucketUnit): string {
  switch (unit) {
    case 'hour':
      return `${String(start.getUTCHours()).padStart(2, '0')}:00`;
    case 'day':
    case 'week':
      return start.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
    case 'month':
      return start.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  }
}

function text(
  x: number,
  y: number,
  content: string,
  attributes: { size?: number; weight?: 'bold'; fill?: string; anchor?: 'start' | 'middle' | 'end' } = {},
): string {
  const { size = 14, weight, fill = COLORS.text, anchor = 'start' } = attributes;
  const bold = weight === undefined ? '' : ` font-weight="${weight}"`;
  // Every caller passes untrusted text through here: escaping in one place cannot be forgotten.
  return `<text x="${x}" y="${y}" font-size="${size}"${bold} fill="${fill}" text-anchor="${anchor}">${escapeXml(content)}</text>`;
}

const count = (value: number, noun: string) => `${integer.format(value)} ${value === 1 ? noun : `${noun}s`}`;

const round = (value: number) => Math.round(value * 10) / 10;

function plot(buckets: ClipStatsBucket[], unit: ClipStatsBucketUnit): string[] {
  const parts: string[] = [];
  const width = PLOT.right - PLOT.left;
  const height = PLOT.bottom - PLOT.top;
  const clipsScale = niceScale(Math.max(...buckets.map((bucket) => bucket.clips)));
  const ticks = clipsScale.max / clipsScale.step;
  const viewsScale = niceScaleWithTicks(Math.max(...buckets.map((bucket) => bucket.views)), ticks);

  // Gridlines follow the clips axis; the views axis is labelled at the same heights.
  for (let tick = 0; tick <= ticks; tick += 1) {
    const y = round(PLOT.bottom - (tick / ticks) * height);
    parts.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="${COLORS.grid}"/>`);
    parts.push(
      text(PLOT.left - 10, y + 5, integer.format(tick * clipsScale.step), {
        anchor: 'end',
        fill: COLORS.bars,
      }),
    );
    parts.push(text(PLOT.right + 10, y + 5, compact.format(tick * viewsScale.step), { fill: COLORS.views }));
  }

  const slot = width / buckets.length;
  const barWidth = Math.max(1, slot * 0.7);
  const labelEvery = Math.ceil(buckets.length / MAX_X_LABELS);
  const points: Array<[number, number]> = [];
  buckets.forEach((bucket, index) => {
    const centre = PLOT.left + slot * (index + 0.5);
    const barHeight = (bucket.clips / clipsScale.max) * height;
    if (bucket.clips > 0) {
      parts.push(
        `<rect x="${round(centre - barWidth / 2)}" y="${round(PLOT.bottom - barHeight)}" width="${round(barWidth)}" height="${round(barHeight)}" fill="${COLORS.bars}" rx="${barWidth > 6 ? 2 : 0}"/>`,
      );
    }
    points.push([round(centre), round(PLOT.bottom - (bucket.views / viewsScale.max) * height)]);
    if (index % labelEvery === 0) {
      parts.push(
        text(round(centre), PLOT.bottom + 24, bucketLabel(bucket.start, unit), {
          size: 13,
          anchor: 'middle',
          fill: COLORS.muted,
        }),
      );
    }
  });
  parts.push(
    `<polyline points="${points.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="${COLORS.views}" stroke-width="2.5" stroke-linejoin="round"/>`,
  );
  if (buckets.length <= MAX_DOTS) {
    for (const [x, y] of points) parts.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${COLORS.views}"/>`);
  }
  parts.push(
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="${COLORS.muted}"/>`,
  );

  // Axis titles and legend.
  parts.push(
    text(PLOT.left - 10, PLOT.top - 22, `Clips per ${UNIT_NOUNS[unit]}`, {
      anchor: 'start',
      fill: COLORS.bars,
      weight: 'bold',
    }),
  );
  parts.push(text(PLOT.right + 10, PLOT.top - 22, 'Views', { fill: COLORS.views, weight: 'bold' }));
  return parts;
}

function emptyPlot(): string[] {
  const centreX = (PLOT.left + PLOT.right) / 2;
  const centreY = (PLOT.top + PLOT.bottom) / 2;
  return [
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="${COLORS.grid}" stroke-dasharray="6 6"/>`,
    text(centreX, centreY, 'No clips in this period', { size: 26, weight: 'bold', anchor: 'middle' }),
    text(centreX, centreY + 34, 'Try a longer period, or check back after the next stream.', {
      size: 16,
      anchor: 'middle',
      fill: COLORS.muted,
    }),
  ];
}

interface PanelRow {
  name: string;
  clips: number;
  views: number;
}

function panel(title: string, top: number, rows: PanelRow[], emptyText: string): string[] {
  const parts = [text(PANEL_X, top, title, { size: 20, weight: 'bold' })];
  if (rows.length === 0) {
    parts.push(text(PANEL_X, top + 34, emptyText, { size: 15, fill: COLORS.muted }));
    return parts;
  }
  rows.forEach((row, index) => {
    const y = top + 36 + index * 44;
    parts.push(text(PANEL_X, y, `${index + 1}.`, { size: 17, weight: 'bold', fill: COLORS.muted }));
    parts.push(text(PANEL_X + 26, y, fitText(row.name, 26), { size: 17 }));
    const detail = `${count(row.clips, 'clip')} · ${compact.format(row.views)} ${row.views === 1 ? 'view' : 'views'}`;
    parts.push(text(PANEL_X + 26, y + 19, detail, { size: 14, fill: COLORS.muted }));
  });
  return parts;
}

/**
 * The stats as an SVG document: bars of clips per bucket with the bucket's views as a line on a second axis,
 * a heading with the totals, and panels of the top clippers and most-clipped games. All text from Twitch goes
 * through {@link fitText} (sanitised, shortened) and {@link escapeXml}.
 */
export function buildClipStatsSvg(stats: ChannelClipStats, options: ClipStatsSvgOptions): string {
  const { totals } = stats;
  const channel = fitText(options.channelName, 40, stats.broadcasterId);
  const summary =
    totals.clips === 0
      ? fitText(options.periodLabel, 40)
      : [
          fitText(options.periodLabel, 40),
          count(totals.clips, 'clip'),
          count(totals.views, 'view'),
          count(totals.clippers, 'clipper'),
        ].join(' · ');
  const body =
    totals.clips === 0 || stats.buckets.length === 0 ? emptyPlot() : plot(stats.buckets, stats.unit);
  const clippers = stats.topClippers.map((clipper) => ({ ...clipper, name: clipper.creatorName }));
  const games = stats.topGames.map((game) => ({
    ...game,
    name: game.gameId === null ? 'No category' : (game.gameName ?? `Game ${game.gameId}`),
  }));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="${CHART_FONT_FAMILY}">`,
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="${COLORS.background}"/>`,
    text(40, 52, `Clip stats · ${channel}`, { size: 30, weight: 'bold' }),
    text(40, 84, summary, { size: 17, fill: COLORS.muted }),
    ...body,
    `<line x1="${PANEL_X - 25}" y1="${PLOT.top - 40}" x2="${PANEL_X - 25}" y2="${PLOT.bottom + 40}" stroke="${COLORS.grid}"/>`,
    ...panel('Top clippers', PLOT.top - 22, clippers, 'Nobody clipped in this period'),
    ...panel('Most-clipped games', PLOT.top + 258, games, 'No games in this period'),
    text(40, CHART_HEIGHT - 22, 'Times in UTC · deleted clips not counted · views as of the last sync', {
      size: 13,
      fill: COLORS.muted,
    }),
    '</svg>',
  ];
  return parts.join('\n');
}
