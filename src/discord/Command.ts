import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  StringSelectMenuInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { AutocompleteChoice } from '../clips/search/autocomplete.js';
import type { CommandServices } from './commandServices.js';
import type { Cooldowns } from './cooldowns.js';
import type { InteractionStateStore } from './components/interactionState.js';

/**
 * What commands may use: services, never the database or Twitch clients themselves. Built once by
 * createCommandServices (called from src/main.ts); tests build it the same way.
 */
export interface CommandDeps extends CommandServices {
  logger: Logger;
  /** Paging and other component state, in the cache behind the short key carried in `custom_id`. */
  state: InteractionStateStore;
  cooldowns: Cooldowns;
}

export type SlashHandler = (interaction: ChatInputCommandInteraction, deps: CommandDeps) => Promise<void>;

/** Returns the choices for the focused option; the router answers Discord (≤ 25, names cut to 100). */
export type Autocompleter = (
  value: string,
  interaction: AutocompleteInteraction,
  deps: CommandDeps,
) => Promise<AutocompleteChoice[]>;

export type ComponentInteraction = ButtonInteraction | StringSelectMenuInteraction;

/** Handles a button or select menu whose custom_id is `componentId(command, action, ...args)`. */
export type ComponentHandler = (
  interaction: ComponentInteraction,
  args: string[],
  deps: CommandDeps,
) => Promise<void>;

/**
 * One top-level slash command: a file in commands/ exporting `{ ... } satisfies Command`. Give either
 * `execute` (no sub-commands) or `subcommands`, keyed by sub-command name (`"group sub"` inside a group).
 */
export interface Command {
  /** The registration payload (SlashCommandBuilder#toJSON()). */
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute?: SlashHandler;
  subcommands?: Record<string, SlashHandler>;
  /** Completers by option name, or by `"<sub-command> <option>"` when one sub-command needs its own. */
  autocomplete?: Record<string, Autocompleter>;
  /** Buttons and select menus this command sends, by action (the second part of their custom_id). */
  components?: Record<string, ComponentHandler>;
  /**
   * Only usable in a server. Registration restricts the command's contexts to guilds; the router still
   * refuses a DM invocation with a friendly message (an old registration may allow it).
   */
  guildOnly?: boolean;
}
