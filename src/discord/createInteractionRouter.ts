import type { Interaction } from 'discord.js';
import type { Counter } from 'prom-client';
import type { Command, CommandDeps } from './Command.js';
import { replyWithError } from './replyWithError.js';

export interface InteractionRouterOptions {
  commands: readonly Command[];
  deps: CommandDeps;
  /** Counts handled interactions by command, kind and outcome. */
  interactionsTotal: Counter<'command' | 'kind' | 'outcome'>;
}

/**
 * Dispatches slash commands and autocomplete to the command that owns them. Returns the listener for
 * `client.on('interactionCreate', ...)`; it never throws (an unhandled rejection would crash the bot).
 */
export function createInteractionRouter(
  options: InteractionRouterOptions,
): (interaction: Interaction) => Promise<void> {
  const byName = new Map(options.commands.map((command) => [command.data.name, command]));
  const { deps, interactionsTotal } = options;

  return async (interaction) => {
    if (interaction.isChatInputCommand()) {
      const command = byName.get(interaction.commandName);
      const logger = deps.logger.child({ command: interaction.commandName, interactionId: interaction.id });
      if (!command) {
        interactionsTotal.inc({ command: interaction.commandName, kind: 'command', outcome: 'unknown' });
        logger.warn('unknown command (deploy-commands out of date?)');
        return;
      }
      try {
        await command.execute(interaction, { ...deps, logger });
        interactionsTotal.inc({ command: interaction.commandName, kind: 'command', outcome: 'ok' });
      } catch (error) {
        interactionsTotal.inc({ command: interaction.commandName, kind: 'command', outcome: 'error' });
        await replyWithError(interaction, error, logger);
      }
      return;
    }
    if (interaction.isAutocomplete()) {
      const command = byName.get(interaction.commandName);
      if (!command?.autocomplete) return;
      try {
        await command.autocomplete(interaction, deps);
        interactionsTotal.inc({ command: interaction.commandName, kind: 'autocomplete', outcome: 'ok' });
      } catch (error) {
        interactionsTotal.inc({ command: interaction.commandName, kind: 'autocomplete', outcome: 'error' });
        deps.logger.warn({ err: error, command: interaction.commandName }, 'autocomplete failed');
        // Discord shows "loading options failed" unless we answer; an empty list is the honest answer.
        if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
      }
    }
  };
}
