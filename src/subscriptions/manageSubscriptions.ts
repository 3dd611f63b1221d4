import type { SqlExecutor } from '../db/Database.js';
import { UserError } from '../shared/errors.js';
import { markChannelWanted } from '../sync/trackingLifecycle.js';
import { selectSubscriptionViews, type SubscriptionView } from './SubscriptionView.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a subscription is paused when a member paused it (other reasons are Discord error codes). */
export const PAUSED_BY_USER = 'user';

/** Every subscription of a guild, oldest first, with names, filters, state, last post and last error. */
export async function listSubscriptions(options: {
  sql: SqlExecutor;
  guildId: string;
}): Promise<SubscriptionView[]> {
  return selectSubscriptionViews(options.sql, 's.guild_id = $1', [options.guildId]);
}

/**
 * Finds one subscription of the guild from what the member chose: its id (picked from autocomplete) or,
 * typed by hand, the Twitch channel's login or name (when only one subscription of the guild follows it).
 * Never finds another guild's subscription.
 */
export async function findSubscription(options: {
  sql: SqlExecutor;
  guildId: string;
  reference: string;
}): Promise<SubscriptionView> {
  const reference = options.reference.trim();
  if (UUID.test(reference)) {
    const [byId] = await selectSubscriptionViews(options.sql, 's.guild_id = $1 AND s.id = $2::uuid', [
      options.guildId,
      reference,
    ]);
    if (byId !== undefined) return byId;
  }
  const name = reference
    .replace(/^https?:\/\/(www\.)?twitch\.tv\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  const matches = await selectSubscriptionViews(
    options.sql,
    's.guild_id = $1 AND (lower(b.login) = $2 OR lower(b.display_name) = $2)',
    [options.guildId, name],
  );
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UserError(
      'subscriptions.ambiguous',
      `${matches.length} subscriptions follow that channel here. Pick one from the list that appears while you type.`,
    );
  }
  throw new UserError(
    'subscriptions.notFound',
    'This server has no such subscription. See /subscriptions list, or pick one from the list while you type.',
  );
}

/**
 * Deletes a subscription (its pending deliveries go with it). The Twitch channel's idle clock restarts: it
 * stays indexed for TRACKING_IDLE_DAYS unless another subscription or a search wants it.
 */
export async function removeSubscription(options: {
  sql: SqlExecutor;
  guildId: string;
  reference: string;
  now?: Date;
}): Promise<SubscriptionView> {
  const subscription = await findSubscription(options);
  const removed = await options.sql.query(
    `DELETE FROM subscriptions WHERE id = $1::uuid AND guild_id = $2 RETURNING id`,
    [subscription.id, options.guildId],
  );
  if (removed.length === 0) {
    throw new UserError('subscriptions.notFound', 'That subscription was removed in the meantime.');
  }
  await markChannelWanted(options.sql, subscription.broadcasterId, options.now ?? new Date());
  const remaining = await options.sql.query(`SELECT 1 FROM subscriptions WHERE broadcaster_id = $1 LIMIT 1`, [
    subscription.broadcasterId,
  ]);
  if (remaining.length === 0) {
    // Informational (autocomplete stars and /twitch status show it); the lifecycle sweep reads subscriptions.
    await options.sql.query(
      `UPDATE tracked_channels SET reason = 'search' WHERE broadcaster_id = $1 AND reason = 'subscription'`,
      [subscription.broadcasterId],
    );
  }
  return subscription;
}

/** Stops posting until resumed. Pausing a paused subscription changes nothing and says so. */
export async function pauseSubscription(options: {
  sql: SqlExecutor;
  guildId: string;
  reference: string;
}): Promise<{ subscription: SubscriptionView; changed: boolean }> {
  const subscription = await findSubscription(options);
  const rows = await options.sql.query(
    `UPDATE subscriptions SET paused = true, paused_reason = $3
      WHERE id = $1::uuid AND guild_id = $2 AND NOT paused RETURNING id`,
    [subscription.id, options.guildId, PAUSED_BY_USER],
  );
  const [fresh] = await selectSubscriptionViews(options.sql, 's.id = $1::uuid', [subscription.id]);
  return { subscription: fresh ?? subscription, changed: rows.length === 1 };
}

/**
 * Posts again, whether a member paused it or a permission error did (then the error is considered fixed
 * and cleared from the list). Clips made while paused are skipped: posting resumes with clips made from
 * now on, so a long pause does not end in a flood.
 */
export async function resumeSubscription(options: {
  sql: SqlExecutor;
  guildId: string;
  reference: string;
  now?: Date;
}): Promise<{ subscription: SubscriptionView; changed: boolean; previousReason: string | null }> {
  const subscription = await findSubscription(options);
  const rows = await options.sql.query(
    `UPDATE subscriptions
        SET paused = false, paused_reason = NULL, post_clips_since = GREATEST(post_clips_since, $3::timestamptz),
            last_error = CASE WHEN paused_reason IS NOT NULL AND paused_reason <> $4 THEN NULL ELSE last_error END,
            last_error_at = CASE WHEN paused_reason IS NOT NULL AND paused_reason <> $4 THEN NULL ELSE last_error_at END
      WHERE id = $1::uuid AND guild_id = $2 AND paused RETURNING id`,
    [subscription.id, options.guildId, options.now ?? new Date(), PAUSED_BY_USER],
  );
  const [fresh] = await selectSubscriptionViews(options.sql, 's.id = $1::uuid', [subscription.id]);
  return {
    subscription: fresh ?? subscription,
    changed: rows.length === 1,
    previousReason: subscription.pausedReason,
  };
}
