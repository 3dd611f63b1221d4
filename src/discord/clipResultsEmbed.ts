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

const DESCRIPTION_LIMIT = 4096;
const MIN_TITLE_IN_LIST = 20;

function clipLines(page: ClipSearchPage, channelNames: Map<string, string>, titleMax: number): string[] {
  return page.clips.map((clip, index) => {
    const title = escapeMarkdown(clampText(clip.title.trim() || '(untitled)', titleMax));
    const channel = escapeMarkdown(channelNames.get(clip.broadcasterId) ?? clip.broadcasterId);
    const date = `<t:${Math.floor(clip.createdAt.getTime() / 1000)}:d>`;
    return `**${index + 1}.** [${title}](${clip.url}) — ${channel} · ${clip.viewCount.toLocaleString('en-US')} views · ${date}`;
  });
}

/**
 * One embed listing a page of clips: linked title, channel, views and date per line. Discord rejects a
 * description over 4096 characters, so titles are shortened until the page fits, and as a last resort the
 * last lines are dropped (a page of 25 long, markdown-heavy titles can exceed it).
 */
export function clipResultsEmbed(page: ClipSearchPage, heading: string, channelNames: Map<string, string>) {
  let titleMax = MAX_TITLE_IN_LIST;
  let lines = clipLines(page, channelNames, titleMax);
  while (lines.join('\n').length > DESCRIPTION_LIMIT && titleMax > MIN_TITLE_IN_LIST) {
    titleMax -= 10;
    lines = clipLines(page, channelNames, titleMax);
  }
  while (lines.join('\n').length > DESCRIPTION_LIMIT) lines.pop();
  const count = `${page.totalEstimate.toLocaleString('en-US')} ${page.totalEstimate === 1 ? 'clip' : 'clips'}`;
  const total = page.totalIsExact ? count : `about ${count}`;
  const fuzzyNote = page.mode === 'fuzzy' ? ' (no exact match; showing close spellings)' : '';
  return new EmbedBuilder()
    .setTitle(clampText(heading, 256))
    .setDescription(lines.length > 0 ? lines.join('\n') : 'No clips found.')
    .setFooter({ text: `${total}${fuzzyNote}` });
}
