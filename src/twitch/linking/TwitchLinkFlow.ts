import { randomBytes } from 'node:crypto';
import { exchangeCode, getTokenInfo } from '@twurple/auth';
import type { SqlExecutor } from '../../db/Database.js';
import type { Logger } from '../../observability/logger.js';
import { consumeLinkState, saveLinkState } from './linkStates.js';
import { linkSigningKey, readTwitchLink } from './linkUrl.js';
import { saveLinkedAccount } from './linkedAccounts.js';
import { encryptToken, type TokenKeyring } from './tokenCipher.js';

/** How long a browser has between opening the link and coming back from Twitch's consent page. */
export const LINK_FLOW_TTL_MS = 10 * 60_000;

export interface TwitchLinkFlowOptions {
  clientId: string;
  clientSecret: string;
  /** Public base URL of this server (no trailing slash); the callback is `${publicUrl}/auth/twitch/callback`. */
  publicUrl: string;
  keyring: TokenKeyring;
  sql: SqlExecutor;
  logger: Logger;
  /** Twitch's authorize endpoint (the fake's in tests). */
  authorizeUrl?: string;
  /** Called after an account is stored (or re-linked), e.g. to subscribe to its EventSub topics. */
  onLinked?: (account: {
    twitchUserId: string;
    refreshToken: string;
    linkedAt: Date;
  }) => Promise<void> | void;
  clock?: () => Date;
}

export type LinkCompletion =
  | { outcome: 'linked'; login: string }
  /** Unknown, replayed, expired state, or a browser other than the one that started. */
  | { outcome: 'invalidState' }
  | { outcome: 'declined' }
  | { outcome: 'noCode' }
  | { outcome: 'exchangeFailed' };

export interface TwitchLinkFlow {
  /** Where the callback must be registered in the Twitch console. */
  readonly redirectUri: string;
  /**
   * Opens a flow for a signed link: returns Twitch's authorize URL (with a fresh single-use state) and the nonce
   * the browser must keep in a cookie, or null when the link is invalid or expired.
   */
  begin(link: unknown): Promise<{ authorizeUrl: string; browserNonce: string } | null>;
  /** Finishes a flow: consumes the state (once, same browser only), then exchanges the code. */
  complete(callback: {
    state: unknown;
    browserNonce: string | undefined;
    code: unknown;
    error: unknown;
  }): Promise<LinkCompletion>;
}

const randomToken = (): string => randomBytes(32).toString('base64url');

/**
 * Twitch account linking, from the signed link to a stored, encrypted refresh token. The state Twitch carries
 * is random and single-use, and it is bound to the browser that opened the link: a leaked or replayed callback
 * URL is refused before any token exchange is made with the client secret.
 */
export function createTwitchLinkFlow(options: TwitchLinkFlowOptions): TwitchLinkFlow {
  const log = options.logger.child({ component: 'twitch-oauth' });
  const signingKey = linkSigningKey(options.keyring.current.key);
  const clock = options.clock ?? (() => new Date());
  const redirectUri = `${options.publicUrl}/auth/twitch/callback`;
  const authorizeBase = options.authorizeUrl ?? 'https://id.twitch.tv/oauth2/authorize';

  return {
    redirectUri,
    async begin(link) {
      const now = clock();
      const discordUserId = readTwitchLink(link, signingKey, now.getTime());
      if (discordUserId === null) return null;
      const state = randomToken();
      const browserNonce = randomToken();
      await saveLinkState(
        options.sql,
        { state, browserNonce, discordUserId, expiresAt: new Date(now.getTime() + LINK_FLOW_TTL_MS) },
        now,
      );
      const url = new URL(authorizeBase);
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      // No scopes: EventSub stream.online/offline for one's own channel needs only an authorisation.
      url.searchParams.set('scope', '');
      url.searchParams.set('state', state);
      url.searchParams.set('force_verify', 'true');
      return { authorizeUrl: url.toString(), browserNonce };
    },

    async complete(callback) {
      const { state, browserNonce, code, error } = callback;
      if (typeof state !== 'string' || state.length > 200 || !browserNonce || browserNonce.length > 200) {
        return { outcome: 'invalidState' };
      }
      const flow = await consumeLinkState(options.sql, { state, browserNonce }, clock());
      if (flow === null) return { outcome: 'invalidState' };
      if (typeof error === 'string') {
        log.info({ error: error.slice(0, 100) }, 'Twitch linking declined');
        return { outcome: 'declined' };
      }
      if (typeof code !== 'string' || code === '' || code.length > 500) return { outcome: 'noCode' };
      try {
        const token = await exchangeCode(options.clientId, options.clientSecret, code, redirectUri);
        if (!token.refreshToken) throw new Error('no refresh token in the code exchange');
        const info = await getTokenInfo(token.accessToken, options.clientId);
        if (info.userId === null || info.userName === null) throw new Error('token has no user');
        const linkedAt = await saveLinkedAccount(
          options.sql,
          {
            twitchUserId: info.userId,
            login: info.userName,
            encryptedRefreshToken: encryptToken(token.refreshToken, options.keyring, info.userId),
            scopes: info.scopes,
            linkedByDiscordUserId: flow.discordUserId,
          },
          clock(),
        );
        log.info({ twitchUserId: info.userId, discordUserId: flow.discordUserId }, 'Twitch account linked');
        await options.onLinked?.({ twitchUserId: info.userId, refreshToken: token.refreshToken, linkedAt });
        return { outcome: 'linked', login: info.userName };
      } catch (failure) {
        // twurple's errors quote the request URL, which carries the code and the client secret: name and status only.
        const status = (failure as { statusCode?: unknown }).statusCode;
        log.warn({ errorName: (failure as Error).name, status }, 'Twitch code exchange failed');
        return { outcome: 'exchangeFailed' };
      }
    },
  };
}
