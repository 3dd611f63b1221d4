import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { startClipList } from '../../src/discord/clipList.js';
import {
  channelOption,
  completeChannel,
  completeGame,
  gameOption,
  indexingScope,
  periodOption,
  addChannelOption,
  addPeriodOption,
} from '../../src/discord/commandOptions.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';
import { addIndexingNote } from './shared.js';
import { UserError } from '../../src/shared/errors.js';

const topHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps);
  const gameId = gameOption(interaction);
  if (!channelInput && !gameId) {
    throw new UserError('clips.topNeedsFilter', 'Pick a channel or a game to see its top clips.');
  }
  const period = periodOption(interaction) ?? 'all';
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const { channel, indexing } = channelInput
      ? await deps.channels.resolveAndIndex(channelInput, indexingScope(interaction))
      : { channel: undefined, indexing: undefined };
    const subject = channel?.name ?? 'this game';
    const list = await startClipList(deps, {
      ownerId: interaction.user.id,
      command: 'clips',
      heading: t.headings.top(subject, t.periods[period] ?? period),
      source: {
        kind: 'top',
        query: { ...(channel ? { channelId: channel.id } : {}), ...(gameId ? { gameId } : {}), period },
      },
      locale: interaction.locale,
    });
    if (channel && list.view.clips.length === 0)
      await addIndexingNote(list.embed, channel, indexing, deps, t);
    return { embeds: [list.embed], components: list.components };
  });
};

/** /clips top: the most viewed clips of a channel or a game over a period. */
export const top = {
  data: (sub) =>
    sub
      .setName('top')
      .setDescription('Most viewed clips of a channel or a game')
      .addStringOption((o) => addChannelOption(o))
      .addStringOption((o) =>
        o.setName('game').setDescription('Game or category').setAutocomplete(true).setMaxLength(100),
      )
      .addStringOption((o) => addPeriodOption(o, 'Made in this period (default: all time)')),
  execute: topHandler,
  autocomplete: { channel: completeChannel, game: completeGame },
} satisfies Subcommand;
