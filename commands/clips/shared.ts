import type { APIEmbed } from 'discord.js';
import type { ResolvedChannel } from '../../src/channels/resolveTwitchChannel.js';
import type { CommandDeps } from '../../src/discord/Command.js';
import { escapeText } from '../../src/discord/escape.js';
import type { Texts } from '../../src/discord/texts.js';

/** Under an empty list of a channel: that indexing just started, or how far it has got. */
export async function addIndexingNote(
  embed: APIEmbed,
  channel: ResolvedChannel,
  indexing: { started: boolean } | undefined,
  deps: CommandDeps,
  t: Texts,
): Promise<void> {
  const note = indexing?.started
    ? t.results.indexingStarted(escapeText(channel.name, 50))
    : (await deps.channels.status(channel.id))?.summary;
  if (note)
    embed.fields = [...(embed.fields ?? []), { name: t.results.indexing, value: note.slice(0, 1024) }];
}
