import { randomUUID } from 'node:crypto';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { UserError } from '../shared/errors.js';

/**
 * The one place that turns a failed command into a reply. A `UserError` is the user's to fix, so its
 * message is shown as is; anything else is logged with an error id and answered with an apology that quotes
 * the id, never the error's text (which may hold internals or secrets).
 *
 * The reply method depends on how far the command got: nothing sent yet → reply; deferred or replied →
 * follow up (editing would destroy a partial answer the user may still want).
 */
export async function replyWithError(
  interaction: RepliableInteraction,
  error: unknown,
  logger: Logger,
): Promise<void> {
  let content: string;
  if (error instanceof UserError) {
    logger.debug({ identifier: error.identifier }, 'user error');
    content = error.message;
  } else {
    const errorId = randomUUID().slice(0, 8);
    logger.error({ err: error, errorId }, 'interaction failed');
    content = `Sorry, something went wrong on our side. If it keeps happening, report error id \`${errorId}\`.`;
  }
  const payload = { content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  try {
    if (interaction.deferred || interaction.replied) await interaction.followUp(payload);
    else await interaction.reply(payload);
  } catch (replyError) {
    // The token may have expired (15 min) or the interaction been acknowledged elsewhere: nothing to do but log.
    logger.warn({ err: replyError }, 'could not send the error reply');
  }
}
