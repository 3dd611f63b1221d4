import type { ChatInputCommandInteraction } from 'discord.js';
import type { CommandDeps, ComponentInteraction } from './Command.js';
import { escapeText } from './escape.js';
import { answer } from './respond.js';
import { texts } from './texts.js';

/** Saves a clip (link or id) to the member's favourites and says so privately: /favorites add and every ⭐. */
export async function saveFavorite(
  interaction: ChatInputCommandInteraction | ComponentInteraction,
  reference: string,
  deps: CommandDeps,
): Promise<void> {
  const t = texts(interaction.locale);
  await deps.cooldowns.take('favorites', interaction.user.id);
  await answer(
    interaction,
    async () => {
      const { clip, added } = await deps.favorites.add(interaction.user.id, reference);
      const title = escapeText(clip.title.trim() || t.results.untitled, 80);
      return { content: added ? t.favorites.added(title) : t.favorites.already(title) };
    },
    { ephemeral: true },
  );
}
