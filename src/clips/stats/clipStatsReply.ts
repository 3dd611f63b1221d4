import { AttachmentBuilder, EmbedBuilder, escapeMarkdown } from 'discord.js';
import type { ChannelClipStats } from './ChannelClipStats.js';
import type { RenderedClipStatsChart } from './renderClipStatsChart.js';

/** The attachment's file name; the embed shows it through `attachment://`. */
export const CLIP_STATS_FILE_NAME = 'clip-stats.png';

// Discord's limits (embed title 256, field value 1024, attachment description 1024) and our own caps on
// names, so that no combination of long names can exceed them.
const TITLE_LIMIT = 256;
const FIELD_VALUE_LIMIT = 1024;
const ALT_TEXT_LIMIT = 1024;
const NAME_LIMIT = 40;
const PERIOD_LABEL_LIMIT = 60;
const TWITCH_PURPLE = 0x9146ff;

const integer = new Intl.NumberFormat('en-US');
const count = (value: number, noun: string) => `${integer.format(value)} ${value === 1 ? noun : `${noun}s`}`;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `text` cut to at most `max` UTF-16 code units (never more than Discord's count of characters) with an
 * ellipsis, never inside a grapheme.
 */
function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  let result = '';
  for (const { segment } of graphemes.segment(text)) {
    if (result.length + segment.length > max - 1) break;
    result += segment;
  }
  return `${result}…`;
}

/**
 * Twitch text made inert for Discord markdown: shortened first (so an escape is never cut in half), then
 * every markdown character escaped, masked links included, and `<`/`@` escaped so `<@id>`, `<#id>` and
 * `@everyone` show as typed instead of as mentions.
 */
function safeName(text: string, max = NAME_LIMIT): string {
  const oneLine = clamp(text.replace(/\s+/g, ' ').trim(), max) || '?';
  const escaped = escapeMarkdown(oneLine, {
    maskedLink: true,
    heading: true,
    bulletedList: true,
    numberedList: true,
  });
  return escaped.replace(/[<@]/g, (char) => `\\${char}`);
}

function rankedLines(rows: Array<{ name: string; clips: number; views: number }>): string {
  const lines = rows.map(
    (row, index) =>
      `${index + 1}. ${safeName(row.name)} — ${count(row.clips, 'clip')}, ${count(row.views, 'view')}`,
  );
  // Five lines of at most ~140 characters stay under 1024; the loop only guards a future larger list.
  while (lines.join('\n').length > FIELD_VALUE_LIMIT) lines.pop();
  return lines.join('\n');
}

export interface ClipStatsReply {
  embeds: EmbedBuilder[];
  files: AttachmentBuilder[];
  allowedMentions: { parse: [] };
}

/**
 * The `/clips stats` answer: an embed with the totals and the text of the top lists (readable without the
 * image, e.g. by a screen reader) showing the chart PNG as its image, and the PNG as the attachment, with a
 * description Discord uses as alt text. Pass it to `interaction.editReply` / `reply` as it is.
 */
export function buildClipStatsReply(
  stats: ChannelClipStats,
  chart: RenderedClipStatsChart,
  options: { channelName: string; periodLabel: string },
): ClipStatsReply {
  const channel = safeName(options.channelName);
  const period = safeName(options.periodLabel, PERIOD_LABEL_LIMIT);
  const { totals } = stats;
  const embed = new EmbedBuilder()
    .setColor(TWITCH_PURPLE)
    .setTitle(clamp(`Clip stats: ${channel} · ${period}`, TITLE_LIMIT))
    .setDescription(
      totals.clips === 0
        ? 'No clips in this period.'
        : [
            count(totals.clips, 'clip'),
            count(totals.views, 'view'),
            count(totals.clippers, 'clipper'),
            count(totals.games, 'game'),
          ]
            .map((part) => `**${part.replace(' ', '** ')}`)
            .join(' · '),
    )
    .setImage(`attachment://${CLIP_STATS_FILE_NAME}`)
    .setFooter({
      text: `One bar per ${stats.unit} (UTC) · views are current view counts · deleted clips not counted`,
    })
    .setTimestamp(stats.to);
  if (stats.topClippers.length > 0) {
    embed.addFields({
      name: 'Top clippers',
      value: rankedLines(stats.topClippers.map((c) => ({ ...c, name: c.creatorName }))),
      inline: true,
    });
  }
  if (stats.topGames.length > 0) {
    embed.addFields({
      name: 'Most-clipped games',
      value: rankedLines(
        stats.topGames.map((g) => ({
          ...g,
          name: g.gameId === null ? 'No category' : (g.gameName ?? `Game ${g.gameId}`),
        })),
      ),
      inline: true,
    });
  }
  const altText = clamp(
    `Chart of clips and views per ${stats.unit} for ${clamp(options.channelName.replace(/\s+/g, ' ').trim(), NAME_LIMIT)}, ${clamp(options.periodLabel, PERIOD_LABEL_LIMIT)}: ${count(totals.clips, 'clip')}, ${count(totals.views, 'view')}.`,
    ALT_TEXT_LIMIT,
  );
  const file = new AttachmentBuilder(chart.png, { name: CLIP_STATS_FILE_NAME, description: altText });
  return { embeds: [embed], files: [file], allowedMentions: { parse: [] } };
}
