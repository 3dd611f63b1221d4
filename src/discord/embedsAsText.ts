import type { APIEmbed, JSONEncodable } from 'discord.js';
import { truncate } from './escape.js';

const CONTENT_LIMIT = 2_000;

/**
 * An answer's embeds as message content, for channels where the bot may not embed links. The embed text is
 * already escaped by the builders; only the layout changes. Cut to Discord's 2,000-character content limit.
 */
export function embedsAsText(
  content: string | undefined,
  embeds: ReadonlyArray<APIEmbed | JSONEncodable<APIEmbed>>,
): string {
  const parts: string[] = content ? [content] : [];
  for (const raw of embeds) {
    const embed = 'toJSON' in raw ? raw.toJSON() : raw;
    if (embed.title) parts.push(`**${embed.title}**`);
    if (embed.description) parts.push(embed.description);
    for (const field of embed.fields ?? []) parts.push(`**${field.name}:** ${field.value}`);
    if (embed.footer?.text) parts.push(`-# ${embed.footer.text}`);
  }
  return truncateLines(parts.join('\n'), CONTENT_LIMIT);
}

/** Drops whole lines from the end rather than cut a link or an escape in half. */
function truncateLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  while (lines.length > 1 && lines.join('\n').length > max - 2) lines.pop();
  const joined = lines.join('\n');
  return joined.length <= max - 2 ? `${joined}\n…` : truncate(joined, max);
}
