import { EmbedBuilder } from 'discord.js';
import type { ClipSearchPage } from '../clips/search/ClipSearchQuery.js';

const MAX_TITLE_IN_LIST = 90;

function clampText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes Discord markdown in user-written text (clip titles) so it cannot break the link syntax. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|[\]()<>#-]/g, (char) => `\\${char}`);
}

/**
 * One embed listing a page of clips: linked title, channel, views and date per line. Stays well inside
 * Discord's limits (description 4096, embed 6000) for the maximum page size of 25.
 */
export function clipResultsEmbed(page: ClipSearchPage, heading: string, channelNames: Map<string, string>) {
  const lines = page.clips.map((clip, index) => {
    const title = escapeMarkdown(clampText(clip.title.trim() || '(untitled)', MAX_TITLE_IN_LIST));
    const channel = escapeMarkdown(channelNames.get(clip.broadcasterId) ?? clip.broadcasterId);
    const date = `<t:${Math.floor(clip.createdAt.getTime() / 1000)}:d>`;
    return `**${index + 1}.** [${title}](${clip.url}) — ${channel} · ${clip.viewCount.toLocaleString('en-US')} views · ${date}`;
  });
  const total = page.totalIsExact
    ? `${page.totalEstimate.toLocaleString('en-US')} clips`
    : `about ${page.totalEstimate.toLocaleString('en-US')} clips`;
  const fuzzyNote = page.mode === 'fuzzy' ? ' (no exact match; showing close spellings)' : '';
  return new EmbedBuilder()
    .setTitle(clampText(heading, 256))
    .setDescription(lines.length > 0 ? lines.join('\n') : 'No clips found.')
    .setFooter({ text: `${total}${fuzzyNote}` });
}
