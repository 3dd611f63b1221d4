import { createRequire } from 'node:module';
import type { ChannelClipStats } from './ChannelClipStats.js';
import { buildClipStatsSvg, CHART_FONT_FAMILY, type ClipStatsSvgOptions } from './buildClipStatsSvg.js';

const require = createRequire(import.meta.url);

/**
 * DejaVu Sans from an npm package, so text renders the same on every machine, font packages installed or
 * not (a slim container has none). It covers Latin, Greek, Cyrillic, Arabic, Hebrew and many symbols.
 */
const FONT_FILES = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];

export interface RenderedClipStatsChart {
  png: Buffer;
  width: number;
  height: number;
}

/**
 * Renders the stats chart to PNG in-process (resvg, a Rust SVG renderer shipped as a prebuilt Node addon),
 * on libuv's thread pool so the event loop keeps answering other interactions meanwhile.
 */
export async function renderClipStatsChart(
  stats: ChannelClipStats,
  options: ClipStatsSvgOptions,
): Promise<RenderedClipStatsChart> {
  const svg = buildClipStatsSvg(stats, options);
  // Loaded on the first chart, not at start-up: only /clips stats needs the native renderer (~7 MB).
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(svg, {
    font: {
      fontFiles: FONT_FILES,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
      // Also the host's fonts: resvg falls back to them for glyphs DejaVu lacks (Chinese, Japanese, Korean
      // and Thai names render when the host has such a font, e.g. Debian's fonts-noto-cjk).
      loadSystemFonts: true,
    },
    fitTo: { mode: 'original' },
    logLevel: 'off',
  });
  return { png: image.asPng(), width: image.width, height: image.height };
}
