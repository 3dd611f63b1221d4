import { randomUUID } from 'node:crypto';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { UserError } from '../shared/errors.js';
import { acknowledgementOf } from './respond.js';
import { texts } from './texts.js';

/**
 * The one place that turns a failed interaction into a reply, always private. A `UserError` is the user's
 * to fix, so its message is shown as is; anything else is logged with an error id and answered with an
 * apology that quotes the id, never the error's text (which may hold internals or secrets).
 *
 * How it stays private depends on how far the interaction got:
 * - nothing sent yet → an ephemeral reply;
 * - deferred ephemerally → the deferral is edited (only the user sees it anyway);
 * - deferred publicly ("thinking…" visible to everyone) → Discord would turn the first follow-up into that
 *   public message and ignore the ephemeral flag, so the public deferral is deleted first and the error is
 *   sent as an ephemeral follow-up;
 * - a component whose message was being updated, or an answer already sent → an ephemeral follow-up (the
 *   message stays as it was).
 * Commands validate their options before anything is deferred, so most errors take the first path.
 */
export async function replyWithError(
  interaction: RepliableInteraction,
  error: unknown,
  logger: Logger,
): Promise<void> {
  const t = texts(interaction.locale);
  let content: string;
  if (error instanceof UserError) {
    logger.debug({ identifier: error.identifier }, 'user error');
    content = error.message;
  } else {
    const errorId = randomUUID().slice(0, 8);
    logger.error({ err: error, errorId }, 'interaction failed');
    content = t.errors.unexpected(errorId);
  }
  const payload = { content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply(payload);
      return;
    }
    const acknowledged = acknowledgementOf(interaction) ?? (interaction.ephemeral ? 'ephemeral' : 'public');
    if (interaction.deferred && !interaction.replied && acknowledged === 'ephemeral') {
      await interaction.editReply({ content, embeds: [], components: [], allowedMentions: { parse: [] } });
    } else if (interaction.deferred && !interaction.replied && acknowledged === 'public') {
      await interaction.deleteReply().catch((deleteError: unknown) => {
        logger.warn({ err: deleteError }, 'could not withdraw the public deferral');
      });
      await interaction.followUp(payload);
    } else {
      await interaction.followUp(payload);
    }
  } catch (replyError) {
    // The token may have expired (15 min) or the interaction been acknowledged elsewhere: nothing to do but log.
    logger.warn({ err: replyError }, 'could not send the error reply');
  }
}
