import { MessageFlags, type Interaction } from 'discord.js';
import { MAX_AUTOCOMPLETE_RESULTS } from '../clips/search/autocomplete.js';
import type { Command, CommandDeps } from './Command.js';
import type { DiscordMetrics } from './createDiscordMetrics.js';
import { decodeCustomId } from './components/customId.js';
import { plainText } from './escape.js';
import { replyWithError } from './replyWithError.js';
import { texts } from './texts.js';

export interface InteractionRouterOptions {
  commands: readonly Command[];
  deps: CommandDeps;
  /** Counts and times handled interactions by command, kind and outcome. */
  metrics: Pick<DiscordMetrics, 'interactionsTotal' | 'interactionDuration'>;
}

type Kind = 'command' | 'autocomplete' | 'component';

/**
 * The one dispatcher for everything Discord sends: slash commands (and their sub-commands), autocomplete,
 * buttons and select menus. Slash commands and autocomplete go to the command of that name; components go
 * to the command and action named in their custom_id (see components/customId.ts). Returns the listener for
 * `client.on('interactionCreate', ...)`; it never throws (an unhandled rejection would crash the bot).
 */
export function createInteractionRouter(
  options: InteractionRouterOptions,
): (interaction: Interaction) => Promise<void> {
  const byName = new Map(options.commands.map((command) => [command.data.name, command]));
  const { deps, metrics } = options;

  return async (interaction) => {
    const receivedAt = performance.now();
    const count = (command: string, kind: Kind, outcome: 'ok' | 'error' | 'unknown') => {
      metrics.interactionsTotal.inc({ command, kind, outcome });
      metrics.interactionDuration.observe(
        { command, kind, outcome },
        (performance.now() - receivedAt) / 1000,
      );
    };
    if (interaction.isChatInputCommand()) {
      const name = interaction.commandName;
      const command = byName.get(name);
      const sub = subcommandKey(interaction.options);
      const logger = deps.logger.child({
        command: sub ? `${name} ${sub}` : name,
        interactionId: interaction.id,
        userId: interaction.user.id,
      });
      const handler = sub ? command?.subcommands?.[sub] : command?.execute;
      if (!command || !handler) {
        count(name, 'command', 'unknown');
        logger.warn('unknown command (deploy-commands out of date?)');
        await interaction
          .reply({ content: texts(interaction.locale).errors.unknownCommand, flags: MessageFlags.Ephemeral })
          .catch(() => undefined);
        return;
      }
      try {
        if (command.guildOnly && !interaction.inGuild()) {
          await interaction.reply({
            content: texts(interaction.locale).errors.guildOnly,
            flags: MessageFlags.Ephemeral,
          });
        } else {
          await handler(interaction, { ...deps, logger });
        }
        count(name, 'command', 'ok');
      } catch (error) {
        count(name, 'command', 'error');
        await replyWithError(interaction, error, logger);
      }
      return;
    }

    if (interaction.isAutocomplete()) {
      const name = interaction.commandName;
      const focused = interaction.options.getFocused(true);
      const sub = subcommandKey(interaction.options);
      const command = byName.get(name);
      const completers = command?.autocomplete;
      const completer =
        (sub ? completers?.[`${sub} ${focused.name}`] : undefined) ?? completers?.[focused.name];
      try {
        const choices = completer ? await completer(String(focused.value), interaction, deps) : [];
        // Discord refuses the whole answer if one choice breaks its limits: enforce them here, once.
        await interaction.respond(
          choices.slice(0, MAX_AUTOCOMPLETE_RESULTS).map(({ name: label, value }) => ({
            name: plainText(label, 100) || value.slice(0, 100),
            value: value.slice(0, 100),
          })),
        );
        count(name, 'autocomplete', 'ok');
      } catch (error) {
        count(name, 'autocomplete', 'error');
        deps.logger.warn(
          { err: error, command: name, option: focused.name, interactionId: interaction.id },
          'autocomplete failed',
        );
        // Discord shows "loading options failed" unless we answer; an empty list is the honest answer.
        if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
      }
      return;
    }

    if (interaction.isButton() || interaction.isStringSelectMenu()) {
      const id = decodeCustomId(interaction.customId);
      const command = id ? byName.get(id.command) : undefined;
      const handler = id ? command?.components?.[id.action] : undefined;
      const label = id ? id.command : 'component';
      const logger = deps.logger.child({
        command: id ? `${id.command}:${id.action}` : 'component',
        interactionId: interaction.id,
        userId: interaction.user.id,
      });
      if (!id || !handler) {
        count(label, 'component', 'unknown');
        logger.info({ customId: interaction.customId.slice(0, 100) }, 'unknown component');
        await interaction
          .reply({
            content: texts(interaction.locale).errors.unknownComponent,
            flags: MessageFlags.Ephemeral,
          })
          .catch(() => undefined);
        return;
      }
      try {
        await handler(interaction, id.args, { ...deps, logger });
        count(label, 'component', 'ok');
      } catch (error) {
        count(label, 'component', 'error');
        await replyWithError(interaction, error, logger);
      }
    }
  };
}

/** "sub" or "group sub" for a command invoked through a sub-command, undefined otherwise. */
function subcommandKey(options: {
  getSubcommandGroup(required?: boolean): string | null;
  getSubcommand(required?: boolean): string | null;
}): string | undefined {
  const sub = options.getSubcommand(false);
  if (!sub) return undefined;
  const group = options.getSubcommandGroup(false);
  return group ? `${group} ${sub}` : sub;
}
