import {
  MessageFlags,
  PermissionFlagsBits,
  type BaseMessageOptions,
  type ChatInputCommandInteraction,
  type ButtonInteraction,
  type StringSelectMenuInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { embedsAsText } from './embedsAsText.js';

/**
 * Discord drops an interaction that is not acknowledged within 3 s. Work that finishes before this answers in
 * the callback itself (one request, no "thinking…" flash, and it stays off the REST global limiter that
 * edits queue behind); slower work is deferred at this point and the answer edits the deferral.
 */
export const DEFER_AFTER_MS = 1_500;

export type AnswerPayload = Pick<BaseMessageOptions, 'content' | 'embeds' | 'components' | 'files'>;

/** How an interaction was acknowledged, so the error handler can keep an error private. */
const acknowledgement = new WeakMap<object, 'public' | 'ephemeral' | 'update'>();

export function acknowledgementOf(interaction: RepliableInteraction) {
  return acknowledgement.get(interaction);
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function raceDeadline<T>(work: Promise<T>, ms: number): Promise<Settled<T> | 'slow'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), ms);
  });
  try {
    return await Promise.race([settle(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Answers a command (or a component with a new message) with what `work` produces: directly when it is
 * fast, through a deferral when it is not. Errors propagate to the router's error handler, which knows
 * from {@link acknowledgementOf} whether a deferral must be withdrawn to keep the error private.
 */
export async function answer(
  interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction,
  work: () => Promise<AnswerPayload>,
  options: { ephemeral?: boolean } = {},
): Promise<void> {
  const ephemeral = options.ephemeral ?? false;
  const pending = work();
  const first = await raceDeadline(pending, DEFER_AFTER_MS);
  if (first !== 'slow') {
    if (!first.ok) throw first.error;
    acknowledgement.set(interaction, ephemeral ? 'ephemeral' : 'public');
    await interaction.reply({
      ...fitPermissions(interaction, first.value),
      allowedMentions: { parse: [] },
      ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
    });
    return;
  }
  acknowledgement.set(interaction, ephemeral ? 'ephemeral' : 'public');
  await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  const result = await settle(pending);
  if (!result.ok) throw result.error;
  await interaction.editReply({
    ...fitPermissions(interaction, result.value),
    allowedMentions: { parse: [] },
  });
}

/** Replaces the message a button or select menu is on (page turns), deferring the same way when slow. */
export async function updateMessage(
  interaction: ButtonInteraction | StringSelectMenuInteraction,
  work: () => Promise<AnswerPayload>,
): Promise<void> {
  const pending = work();
  const first = await raceDeadline(pending, DEFER_AFTER_MS);
  acknowledgement.set(interaction, 'update');
  if (first !== 'slow') {
    if (!first.ok) throw first.error;
    await interaction.update({ ...fitPermissions(interaction, first.value), allowedMentions: { parse: [] } });
    return;
  }
  await interaction.deferUpdate();
  const result = await settle(pending);
  if (!result.ok) throw result.error;
  await interaction.editReply({
    ...fitPermissions(interaction, result.value),
    allowedMentions: { parse: [] },
  });
}

/**
 * Where the bot may not embed links, Discord shows neither embeds nor link previews: say the same in text.
 * `appPermissions` is what the bot may do in the interaction's channel (everything in DMs).
 */
export function fitPermissions(interaction: RepliableInteraction, payload: AnswerPayload): AnswerPayload {
  if (!payload.embeds?.length || interaction.appPermissions?.has(PermissionFlagsBits.EmbedLinks) !== false)
    return payload;
  return { ...payload, content: embedsAsText(payload.content, payload.embeds), embeds: [] };
}
