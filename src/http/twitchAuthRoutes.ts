import { exchangeCode, getTokenInfo } from '@twurple/auth';
import type { FastifyPluginAsync } from 'fastify';
import { deriveSigningKey, encryptToken, signPayload, verifySignedPayload } from '../crypto/tokenCipher.js';
import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import { saveLinkedAccount } from '../twitch/twitchAccounts.js';

export interface TwitchAuthRoutesOptions extends Record<string, unknown> {
  clientId: string;
  clientSecret: string;
  /** Public base URL of this server (no trailing slash); the callback is `${publicUrl}/auth/twitch/callback`. */
  publicUrl: string;
  tokenEncryptionKey: Buffer;
  sql: SqlExecutor;
  logger: Logger;
  /** Twitch's authorize endpoint (overridable for tests). */
  authorizeUrl?: string;
  /** Called after an account is stored, e.g. to subscribe to its EventSub topics. */
  onLinked?: (account: { twitchUserId: string; login: string; refreshToken: string }) => Promise<void> | void;
  clock?: () => Date;
}

const LINK_TTL_MS = 30 * 60_000;
const STATE_TTL_MS = 10 * 60_000;

interface SignedLink {
  /** Discord user id of the broadcaster who asked for the link. */
  d: string;
  /** Expiry, epoch ms. */
  e: number;
  /** Purpose tag, so a link cannot be replayed as a state and vice versa. */
  p: 'link' | 'state';
}

function readSigned(token: unknown, key: Buffer, purpose: SignedLink['p'], now: number): SignedLink | null {
  if (typeof token !== 'string' || token.length > 2_000) return null;
  const payload = verifySignedPayload(token, key) as Partial<SignedLink> | null;
  if (payload === null || typeof payload !== 'object') return null;
  if (payload.p !== purpose || typeof payload.d !== 'string' || typeof payload.e !== 'number') return null;
  if (payload.e < now) return null;
  return payload as SignedLink;
}

/**
 * The link a slash command hands to a broadcaster: valid for 30 minutes, bound to their Discord user id,
 * signed with a key derived from TOKEN_ENCRYPTION_KEY (so it cannot be forged or re-targeted).
 */
export function createTwitchLinkUrl(options: {
  publicUrl: string;
  tokenEncryptionKey: Buffer;
  discordUserId: string;
  now: Date;
}): string {
  const key = deriveSigningKey(options.tokenEncryptionKey, 'oauth');
  const link = signPayload(
    { d: options.discordUserId, e: options.now.getTime() + LINK_TTL_MS, p: 'link' } satisfies SignedLink,
    key,
  );
  return `${options.publicUrl}/auth/twitch/start?link=${encodeURIComponent(link)}`;
}

function page(title: string, text: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><h1>${escape(title)}</h1><p>${escape(text)}</p>`;
}

/**
 * Twitch account linking (fastify plugin, registered by main on the admin server):
 * GET /auth/twitch/start?link=… → 302 to Twitch's authorize page with a signed, expiring `state`;
 * GET /auth/twitch/callback?code&state → exchanges the code, stores the refresh token AES-256-GCM encrypted,
 * and hands the account to `onLinked`. Tokens never appear in responses or logs.
 */
export const twitchAuthRoutes: FastifyPluginAsync<TwitchAuthRoutesOptions> = async (app, options) => {
  const log = options.logger.child({ component: 'twitch-oauth' });
  const key = deriveSigningKey(options.tokenEncryptionKey, 'oauth');
  const clock = options.clock ?? (() => new Date());
  const redirectUri = `${options.publicUrl}/auth/twitch/callback`;
  const authorizeUrl = options.authorizeUrl ?? 'https://id.twitch.tv/oauth2/authorize';

  app.get('/auth/twitch/start', async (request, reply) => {
    const now = clock().getTime();
    const link = readSigned((request.query as Record<string, unknown>).link, key, 'link', now);
    if (link === null) {
      return reply
        .code(400)
        .type('text/html')
        .send(
          page(
            'Link expired',
            'This link is invalid or expired. Ask the bot for a new one with /twitch link.',
          ),
        );
    }
    const state = signPayload({ d: link.d, e: now + STATE_TTL_MS, p: 'state' } satisfies SignedLink, key);
    const url = new URL(authorizeUrl);
    url.searchParams.set('client_id', options.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    // No scopes: EventSub stream.online/offline for one's own channel needs only an authorisation.
    url.searchParams.set('scope', '');
    url.searchParams.set('state', state);
    url.searchParams.set('force_verify', 'true');
    return reply.redirect(url.toString(), 302);
  });

  app.get('/auth/twitch/callback', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const state = readSigned(query.state, key, 'state', clock().getTime());
    if (state === null) {
      return reply.code(400).type('text/html').send(page('Link expired', 'Start again with /twitch link.'));
    }
    if (typeof query.error === 'string') {
      log.info({ error: query.error.slice(0, 100) }, 'Twitch linking declined');
      return reply.code(400).type('text/html').send(page('Not linked', 'Twitch did not authorise the link.'));
    }
    if (typeof query.code !== 'string' || query.code === '' || query.code.length > 500) {
      return reply.code(400).type('text/html').send(page('Not linked', 'Twitch sent no authorisation code.'));
    }
    try {
      const token = await exchangeCode(options.clientId, options.clientSecret, query.code, redirectUri);
      if (!token.refreshToken) throw new Error('no refresh token in the code exchange');
      const info = await getTokenInfo(token.accessToken, options.clientId);
      if (info.userId === null || info.userName === null) throw new Error('token has no user');
      await saveLinkedAccount(
        options.sql,
        {
          twitchUserId: info.userId,
          login: info.userName,
          encryptedRefreshToken: encryptToken(token.refreshToken, options.tokenEncryptionKey),
          scopes: info.scopes,
          linkedByDiscordUserId: state.d,
        },
        clock(),
      );
      log.info({ twitchUserId: info.userId, discordUserId: state.d }, 'Twitch account linked');
      await options.onLinked?.({
        twitchUserId: info.userId,
        login: info.userName,
        refreshToken: token.refreshToken,
      });
      return reply
        .type('text/html')
        .send(
          page(
            'Twitch account linked',
            `Linked ${info.userName}. Your stream's go-live now reaches the bot instantly. You can close this window.`,
          ),
        );
    } catch (error) {
      // The error may carry request details; log its name and status only.
      const status = (error as { statusCode?: unknown }).statusCode;
      log.warn({ errorName: (error as Error).name, status }, 'Twitch code exchange failed');
      return reply
        .code(502)
        .type('text/html')
        .send(page('Not linked', 'Twitch did not accept the link. Try again.'));
    }
  });
};
