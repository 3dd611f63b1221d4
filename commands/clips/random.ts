import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { clipCardMessage } from '../../src/discord/clipCard.js';
import {
  channelOption,
  completeChannel,
  indexingScope,
  periodOption,
  addChannelOption,
  addMinViewsOption,
  addPeriodOption,
} from '../../src/discord/commandOptions.js';
import { escapeText } from '../../src/discord/escape.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';

const randomHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps, true)!;
  const period = periodOption(interaction);
  const minViews = interaction.options.getInteger('min_views') ?? undefined;
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const { channel } = await deps.channels.resolveAndIndex(channelInput, indexingScope(interaction));
    const clip = await deps.clips.random({
      channelId: channel.id,
      ...(period ? { period } : {}),
      ...(minViews !== undefined ? { minViews } : {}),
    });
    const info = clip ? await deps.clips.info(clip.id) : null;
    if (!info) return { content: t.card.noRandom(escapeText(channel.name, 50)) };
    return clipCardMessage(info, t);
  });
};

/** /clips random: one random clip of a channel, optionally recent or popular. */
export const random = {
  data: (sub) =>
    sub
      .setName('random')
      .setDescription('A random clip of a channel')
      .addStringOption((o) => addChannelOption(o, true))
      .addStringOption((o) => addPeriodOption(o, 'Made in this period (default: all time)'))
      .addIntegerOption(addMinViewsOption),
  execute: randomHandler,
  autocomplete: { channel: completeChannel },
} satisfies Subcommand;
