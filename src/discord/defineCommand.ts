import { SlashCommandBuilder, SlashCommandSubcommandBuilder } from 'discord.js';
import type { Autocompleter, Command, ComponentHandler, SlashHandler } from './Command.js';
import { registerContexts } from './commandOptions.js';

/** One sub-command in its own file: registration, handler and the completers of its options. */
export interface Subcommand {
  /** Name, description and options, e.g. `(sub) => sub.setName('top').setDescription(...).addStringOption(...)`. */
  data: (sub: SlashCommandSubcommandBuilder) => SlashCommandSubcommandBuilder;
  execute: SlashHandler;
  /** Completers for this sub-command's autocomplete options, by option name. */
  autocomplete?: Record<string, Autocompleter>;
}

/**
 * A top-level command made of sub-commands, each from its own file. Adding a sub-command is one file
 * exporting a {@link Subcommand} plus one entry in the list given here.
 */
export function commandWithSubcommands(options: {
  name: string;
  description: string;
  subcommands: readonly Subcommand[];
  /** Buttons and select menus of this command, by custom_id action (see components/customId.ts). */
  components?: Record<string, ComponentHandler>;
  guildOnly?: boolean;
  /** Default permissions members need to see the command (e.g. PermissionFlagsBits.ManageGuild). */
  defaultMemberPermissions?: bigint;
}): Command {
  const builder = registerContexts(new SlashCommandBuilder(), { guildOnly: options.guildOnly })
    .setName(options.name)
    .setDescription(options.description);
  if (options.defaultMemberPermissions !== undefined) {
    builder.setDefaultMemberPermissions(options.defaultMemberPermissions);
  }
  const handlers: Record<string, SlashHandler> = {};
  const completers: Record<string, Autocompleter> = {};
  for (const subcommand of options.subcommands) {
    const sub = subcommand.data(new SlashCommandSubcommandBuilder());
    builder.addSubcommand(sub);
    handlers[sub.name] = subcommand.execute;
    for (const [option, completer] of Object.entries(subcommand.autocomplete ?? {})) {
      completers[`${sub.name} ${option}`] = completer;
    }
  }
  return {
    data: builder.toJSON(),
    subcommands: handlers,
    autocomplete: completers,
    ...(options.components ? { components: options.components } : {}),
    ...(options.guildOnly ? { guildOnly: true } : {}),
  };
}
