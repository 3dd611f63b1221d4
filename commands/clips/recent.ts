import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { startClipList } from '../../src/discord/clipList.js';
import {
  addChannelOption,
  channelOption,
  completeChannel,
  indexingScope,
} from '../../src/discord/commandOptions.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';
import { addIndexingNote } from './shared.js';

const recentHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps, true)!;
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const { channel, indexing } = await deps.channels.resolveAndIndex(
      channelInput,
      indexingScope(interaction),
    );
    const list = await startClipList(deps, {
      ownerId: interaction.user.id,
      command: 'clips',
      heading: t.headings.recent(channel.name),
      source: { kind: 'recent', query: { channelId: channel.id } },
      locale: interaction.locale,
    });
    if (list.view.clips.length === 0) await addIndexingNote(list.embed, channel, indexing, deps, t);
    return { embeds: [list.embed], components: list.components };
  });
};

/** /clips recent: the newest clips of a channel. */
export const recent = {
  data: (sub) =>
    sub
      .setName('recent')
      .setDescription('Newest clips of a channel')
      .addStringOption((o) => addChannelOption(o, true)),
  execute: recentHandler,
  autocomplete: { channel: completeChannel },
} satisfies Subcommand;
