import { SlashCommandBuilder } from 'discord.js';
import type { Command, SlashHandler } from '../src/discord/Command.js';
import { startClipList, turnClipListPage } from '../src/discord/clipList.js';
import { registerContexts } from '../src/discord/commandOptions.js';
import { answer } from '../src/discord/respond.js';
import { saveFavorite } from '../src/discord/saveFavorite.js';
import { texts } from '../src/discord/texts.js';

const data = registerContexts(new SlashCommandBuilder())
  .setName('favorites')
  .setDescription('Your saved clips, the same in every server')
  .addSubcommand((sub) =>
    sub
      .setName('add')
      .setDescription('Save a clip')
      .addStringOption((o) =>
        o.setName('clip').setDescription('Clip link or clip id').setRequired(true).setMaxLength(200),
      ),
  )
  .addSubcommand((sub) => sub.setName('list').setDescription('Show your saved clips, newest first'))
  .addSubcommand((sub) =>
    sub
      .setName('remove')
      .setDescription('Remove a saved clip')
      .addStringOption((o) =>
        o
          .setName('clip')
          .setDescription('Pick one of your saved clips, or paste its link')
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(200),
      ),
  )
  .toJSON();

// Favourites are personal: every answer is ephemeral, so a member's list is never shown to the channel.
const add: SlashHandler = (interaction, deps) =>
  saveFavorite(interaction, interaction.options.getString('clip', true), deps);

const list: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  await deps.cooldowns.take('favorites', interaction.user.id);
  await answer(
    interaction,
    async () => {
      const rendered = await startClipList(deps, {
        ownerId: interaction.user.id,
        command: 'favorites',
        heading: t.headings.favorites,
        source: { kind: 'favorites' },
        locale: interaction.locale,
      });
      if (rendered.view.clips.length === 0) return { content: t.favorites.empty };
      return { embeds: [rendered.embed], components: rendered.components };
    },
    { ephemeral: true },
  );
};

const remove: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const reference = interaction.options.getString('clip', true);
  await deps.cooldowns.take('favorites', interaction.user.id);
  const removed = await deps.favorites.remove(interaction.user.id, reference);
  await answer(interaction, async () => ({ content: removed ? t.favorites.removed : t.favorites.notSaved }), {
    ephemeral: true,
  });
};

export const favorites = {
  data,
  subcommands: { add, list, remove },
  autocomplete: {
    'remove clip': (value, interaction, deps) => deps.autocomplete.favorites(interaction.user.id, value),
  },
  components: { page: turnClipListPage },
} satisfies Command;
