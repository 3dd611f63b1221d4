/**
 * The webhook manager: the bot's one webhook per channel, created on first use, reused, and repaired when it
 * was deleted or its token changed.
 *
 * Tokens are credentials and are never stored or logged. `channel_webhooks` keeps only the webhook id; the
 * token is read back with Get Channel Webhooks (Discord returns an application-owned webhook's token only to
 * the application that created it, and only with Manage Webhooks, which webhook mode needs anyway) and kept in
 * this process's memory. That costs one request per channel per process start and picks up a changed token by
 * itself, and a leaked database or backup holds nothing that can post.
 *
 * At most one webhook per channel: creating or repairing takes a lease on the channel's row (a fencing token,
 * as in src/sync/channelClaims.ts) so two processes never both create one; the new id is written only while
 * the lease is unchanged. A webhook of ours that a crashed process created but never recorded is adopted
 * instead of creating another, and any further ones are deleted.
 */
import type { Registry } from 'prom-client';
import type { SqlExecutor } from '../../db/Database.js';
import type { Logger } from '../../observability/logger.js';
import { getOrCreateCounter } from '../../observability/metrics.js';
import { ChannelProblemError } from '../deliveryPolicy.js';
import type { WebhookDiscord } from './webhookDiscord.js';
import { isMissingPermissions, WEBHOOK_NAME, webhookTargetOf, type WebhookTarget } from './webhookPolicy.js';

export interface WebhookCredentials {
  id: string;
  token: string;
}

/** The pause code (subscriptions.paused_reason) of a channel where the bot may not manage webhooks. */
export const MISSING_MANAGE_WEBHOOKS = 'manage_webhooks';

export interface ChannelWebhooks {
  /** Where webhook posts for this channel go (cached: a channel's type and a thread's parent never change). */
  target(channelId: string): Promise<WebhookTarget>;
  /**
   * The channel's webhook, created or repaired as needed. `failed`: credentials Discord just refused (10015
   * or 50027), so they are not handed out again.
   */
  acquire(webhookChannelId: string, failed?: WebhookCredentials): Promise<WebhookCredentials>;
  /** The credentials of one particular webhook of the channel (to edit its posts), or null when it is gone. */
  credentialsOf(
    webhookChannelId: string,
    webhookId: string,
    failed?: WebhookCredentials,
  ): Promise<WebhookCredentials | null>;
}

export interface ChannelWebhooksOptions {
  /** How long a process may take to create or repair a channel's webhook before another may. */
  leaseMs: number;
  /** Waits for another process's repair: rounds, and the first delay (growing linearly). */
  waitRounds: number;
  waitStepMs: number;
}

export const defaultChannelWebhooksOptions: ChannelWebhooksOptions = {
  leaseMs: 30_000,
  waitRounds: 6,
  waitStepMs: 250,
};

function createWebhookMetrics(registry: Registry) {
  return getOrCreateCounter(registry, {
    name: 'tcs_notify_webhooks_total',
    help: 'Channel webhook management: created, adopted (found unrecorded), repaired (recorded one gone), extra_deleted, refetched (token read back)',
    labelNames: ['action'] as const,
  });
}

export function createChannelWebhooks(deps: {
  sql: SqlExecutor;
  discord: WebhookDiscord;
  /** Our application id: only webhooks it owns are adopted or deleted. */
  applicationId: string;
  logger: Logger;
  registry: Registry;
  clock?: () => Date;
  options?: Partial<ChannelWebhooksOptions>;
}): ChannelWebhooks {
  const options = { ...defaultChannelWebhooksOptions, ...deps.options };
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger.child({ component: 'webhooks' });
  const actions = createWebhookMetrics(deps.registry);
  const { sql, discord } = deps;
  /** Per webhook channel: the current credentials. Never logged. */
  const current = new Map<string, WebhookCredentials>();
  const targets = new Map<string, WebhookTarget>();
  /** One acquire per channel at a time within this process. */
  const inFlight = new Map<string, Promise<WebhookCredentials>>();

  const same = (a: WebhookCredentials | undefined, b: WebhookCredentials | undefined) =>
    a !== undefined && b !== undefined && a.id === b.id && a.token === b.token;

  /** Get Channel Webhooks, our webhooks only, as credentials; 50013 becomes a channel problem. */
  async function listOurs(webhookChannelId: string): Promise<WebhookCredentials[]> {
    const listed = await manage(() => discord.listChannelWebhooks(webhookChannelId));
    actions.inc({ action: 'refetched' });
    return listed
      .filter((hook) => hook.application_id === deps.applicationId && typeof hook.token === 'string')
      .map((hook) => ({ id: hook.id, token: hook.token! }))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async function manage<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isMissingPermissions(error)) {
        throw new ChannelProblemError(
          MISSING_MANAGE_WEBHOOKS,
          'Missing Permissions (50013): the bot needs Manage Webhooks to post as the streamer',
        );
      }
      throw error;
    }
  }

  async function recordedWebhookId(webhookChannelId: string): Promise<string | null> {
    const [row] = await sql.query<{ webhook_id: string | null }>(
      'SELECT webhook_id FROM channel_webhooks WHERE discord_channel_id = $1',
      [webhookChannelId],
    );
    return row?.webhook_id ?? null;
  }

  /** Takes the repair lease if the row still records `expected` and nobody else holds a live lease. */
  async function claimRepair(webhookChannelId: string, expected: string | null): Promise<Date | null> {
    const now = clock();
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    const rows = await sql.query(
      `INSERT INTO channel_webhooks (discord_channel_id, webhook_id, lease_until, updated_at)
       VALUES ($1, NULL, $3::timestamptz, $4::timestamptz)
       ON CONFLICT (discord_channel_id) DO UPDATE SET lease_until = EXCLUDED.lease_until, updated_at = EXCLUDED.updated_at
        WHERE channel_webhooks.webhook_id IS NOT DISTINCT FROM $2
          AND (channel_webhooks.lease_until IS NULL OR channel_webhooks.lease_until <= $4::timestamptz)
       RETURNING discord_channel_id`,
      [webhookChannelId, expected, leaseUntil, now],
    );
    return rows.length === 1 ? leaseUntil : null;
  }

  async function recordRepair(webhookChannelId: string, lease: Date, webhookId: string): Promise<boolean> {
    const rows = await sql.query(
      `UPDATE channel_webhooks SET webhook_id = $3, lease_until = NULL, updated_at = $4::timestamptz
        WHERE discord_channel_id = $1 AND lease_until = $2::timestamptz RETURNING discord_channel_id`,
      [webhookChannelId, lease, webhookId, clock()],
    );
    return rows.length === 1;
  }

  async function releaseRepair(webhookChannelId: string, lease: Date): Promise<void> {
    await sql.query(
      `UPDATE channel_webhooks SET lease_until = NULL WHERE discord_channel_id = $1 AND lease_until = $2::timestamptz`,
      [webhookChannelId, lease],
    );
  }

  /** Under the lease: adopt an unrecorded webhook of ours or create one, delete any extra, record it. */
  async function repair(
    webhookChannelId: string,
    lease: Date,
    previous: string | null,
  ): Promise<WebhookCredentials | null> {
    const log = logger.child({ webhookChannelId });
    try {
      const ours = await listOurs(webhookChannelId);
      let chosen = ours[0];
      if (chosen === undefined) {
        const created = await manage(() => discord.createWebhook(webhookChannelId, WEBHOOK_NAME));
        if (typeof created.token !== 'string') throw new Error('Discord created a webhook without a token');
        chosen = { id: created.id, token: created.token };
        actions.inc({ action: previous === null ? 'created' : 'repaired' });
        log.info({ webhookId: chosen.id, replaced: previous }, 'Channel webhook created');
      } else {
        actions.inc({ action: 'adopted' });
        log.info({ webhookId: chosen.id, replaced: previous }, 'Channel webhook adopted');
      }
      for (const extra of ours.slice(1)) {
        try {
          await discord.deleteWebhook(extra.id);
          actions.inc({ action: 'extra_deleted' });
          log.warn({ webhookId: extra.id }, 'Extra channel webhook deleted (at most one per channel)');
        } catch (error) {
          log.warn({ err: error, webhookId: extra.id }, 'Extra channel webhook could not be deleted');
        }
      }
      if (!(await recordRepair(webhookChannelId, lease, chosen.id))) {
        log.warn(
          { webhookId: chosen.id },
          'Channel webhook repair lease lost; reading the recorded webhook again',
        );
        return null;
      }
      return chosen;
    } catch (error) {
      await releaseRepair(webhookChannelId, lease).catch(() => undefined);
      throw error;
    }
  }

  async function resolve(webhookChannelId: string, failed?: WebhookCredentials): Promise<WebhookCredentials> {
    for (let round = 0; round <= options.waitRounds; round += 1) {
      const cached = current.get(webhookChannelId);
      if (cached !== undefined && !same(cached, failed)) return cached;
      current.delete(webhookChannelId);
      const recorded = await recordedWebhookId(webhookChannelId);
      if (recorded !== null) {
        // The recorded webhook, with its token as Discord has it now (a changed token is simply read back).
        const listed = (await listOurs(webhookChannelId)).find((hook) => hook.id === recorded);
        if (listed !== undefined && !same(listed, failed)) {
          current.set(webhookChannelId, listed);
          return listed;
        }
      }
      const lease = await claimRepair(webhookChannelId, recorded);
      if (lease !== null) {
        const repaired = await repair(webhookChannelId, lease, recorded);
        if (repaired !== null) {
          current.set(webhookChannelId, repaired);
          return repaired;
        }
      }
      // Another process is repairing (or just did): wait for its record.
      await new Promise((done) => setTimeout(done, options.waitStepMs * (round + 1)));
    }
    throw new Error(`the webhook of channel ${webhookChannelId} is being repaired by another process`);
  }

  return {
    async target(channelId) {
      const known = targets.get(channelId);
      if (known !== undefined) return known;
      const target = webhookTargetOf(await discord.getChannel(channelId));
      targets.set(channelId, target);
      return target;
    },
    acquire(webhookChannelId, failed) {
      const running = inFlight.get(webhookChannelId);
      if (running !== undefined) return running;
      const started = resolve(webhookChannelId, failed).finally(() => inFlight.delete(webhookChannelId));
      inFlight.set(webhookChannelId, started);
      return started;
    },
    async credentialsOf(webhookChannelId, webhookId, failed) {
      const cached = current.get(webhookChannelId);
      if (cached?.id === webhookId && !same(cached, failed)) return cached;
      const listed = (await listOurs(webhookChannelId)).find((hook) => hook.id === webhookId);
      if (listed === undefined || same(listed, failed)) return null;
      if (cached?.id === webhookId || cached === undefined) current.set(webhookChannelId, listed);
      return listed;
    },
  };
}
