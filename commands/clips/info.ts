import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { clipCardMessage } from '../../src/discord/clipCard.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';
import { UserError } from '../../src/shared/errors.js';

const infoHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const reference = interaction.options.getString('clip', true);
  const clipId = deps.clips.parseReference(reference);
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const found = await deps.clips.info(clipId);
    if (!found) throw new UserError('clips.notIndexed', t.card.notFound);
    return clipCardMessage(found, t);
  });
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
