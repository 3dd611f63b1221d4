import type { ComponentHandler } from '../../src/discord/Command.js';
import { clipCardMessage } from '../../src/discord/clipCard.js';
import { safeClipUrl } from '../../src/discord/clipResultsEmbed.js';
import { answer } from '../../src/discord/respond.js';
import { saveFavorite } from '../../src/discord/saveFavorite.js';
import { texts } from '../../src/discord/texts.js';
import { UserError } from '../../src/shared/errors.js';

/** Opens one clip from a results list: a private card, so members can open clips without flooding the channel. */
export const open: ComponentHandler = async (interaction, _args, deps) => {
  const t = texts(interaction.locale);
  const clipId = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
  if (!clipId) throw new UserError('ui.unknown', t.errors.unknownComponent);
  await answer(
    interaction,
    async () => {
      const found = await deps.clips.info(clipId);
      if (!found) throw new UserError('clips.notIndexed', t.card.notFound);
      // The link in the content lets Discord show Twitch's player; the card below has ⭐ and the details.
      return { content: safeClipUrl(found.clip), ...clipCardMessage(found, t) };
    },
    { ephemeral: true },
  );
};

/** ⭐ on results or a card: saves the clip to the presser's favourites (anyone may save, privately). */
export const save: ComponentHandler = async (interaction, args, deps) => {
  const t = texts(interaction.locale);
  const [clipId] = args;
  if (!clipId) throw new UserError('ui.unknown', t.errors.unknownComponent);
  await saveFavorite(interaction, clipId, deps);
};
