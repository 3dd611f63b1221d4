import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { buildClipStatsReply } from '../../src/clips/stats/clipStatsReply.js';
import {
  addChannelOption,
  addPeriodOption,
  channelOption,
  completeChannel,
  indexingScope,
  periodOption,
} from '../../src/discord/commandOptions.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';

const statsHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps, true)!;
  const period = periodOption(interaction) ?? 'month';
  // An all-time chart of a big channel is the most expensive answer the bot gives: it counts as a search.
  await deps.cooldowns.take('search', interaction.user.id);
  await answer(interaction, async () => {
    const { channel } = await deps.channels.resolveAndIndex(channelInput, indexingScope(interaction));
    const labels = { channelName: channel.name, periodLabel: t.periods[period] ?? period };
    const { stats, chart } = await deps.clips.stats({ broadcasterId: channel.id, period, ...labels });
    return buildClipStatsReply(stats, chart, labels);
  });
};

/** /clips stats: a chart of a channel's clips per day and views, with its top clippers and games. */
export const stats = {
  data: (sub) =>
    sub
      .setName('stats')
      .setDescription('A chart of a channel’s clips and views, top clippers and most-clipped games')
      .addStringOption((o) => addChannelOption(o, true))
      .addStringOption((o) => addPeriodOption(o, 'Period to chart (default: last 30 days)')),
  execute: statsHandler,
  autocomplete: { channel: completeChannel },
} satisfies Subcommand;
