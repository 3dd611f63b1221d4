import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { clipCardMessage } from '../../src/discord/clipCard.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';
import { UserError } from '../../src/shared/errors.js';

const infoHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const reference = interaction.options.getString('clip', true);
  await deps.cooldowns.take('browse', interaction.user.id);
  const found = await deps.clips.info(reference);
  if (!found) throw new UserError('clips.notIndexed', t.card.notFound);
  await answer(interaction, async () => clipCardMessage(found, t));
};

/** /clips info: the full card of one clip. */
export const info = {
  data: (sub) =>
    sub
      .setName('info')
      .setDescription('Everything about one clip')
      .addStringOption((o) =>
        o.setName('clip').setDescription('Clip link or clip id').setRequired(true).setMaxLength(200),
      ),
  execute: infoHandler,
} satisfies Subcommand;
