import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  LINK_FLOW_TTL_MS,
  type LinkCompletion,
  type TwitchLinkFlow,
} from '../twitch/linking/TwitchLinkFlow.js';

export interface TwitchAuthRoutesOptions extends Record<string, unknown> {
  flow: TwitchLinkFlow;
  /** Send the browser cookie over HTTPS only (true whenever PUBLIC_URL is https). */
  secureCookie: boolean;
  /** Requests per client address and minute on each route. Default 20. */
  requestsPerMinute?: number;
}

/** The cookie that binds a linking flow to the browser that opened the link. */
export const LINK_COOKIE = 'tcs_twitch_link';

function page(reply: FastifyReply, status: number, title: string, text: string): FastifyReply {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return reply
    .code(status)
    .type('text/html')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><h1>${escape(title)}</h1><p>${escape(text)}</p>`,
    );
}

const COMPLETION_PAGES: Record<Exclude<LinkCompletion['outcome'], 'linked'>, [number, string, string]> = {
  invalidState: [
    400,
    'Link expired',
    'This sign-in was already used, has expired, or was started in another browser. Start again with /twitch link.',
  ],
  declined: [400, 'Not linked', 'Twitch did not authorise the link.'],
  noCode: [400, 'Not linked', 'Twitch sent no authorisation code.'],
  exchangeFailed: [502, 'Not linked', 'Twitch did not accept the link. Try again.'],
};

/**
 * The public part of the admin server, which browsers (sent by Twitch) must reach:
 * GET /auth/twitch/start?link=… sets the flow cookie and redirects to Twitch's consent page;
 * GET /auth/twitch/callback?code&state finishes the flow. Both are rate-limited per client address; the rules
 * live in TwitchLinkFlow. Tokens never appear in responses or logs.
 */
export const twitchAuthRoutes: FastifyPluginAsync<TwitchAuthRoutesOptions> = async (app, options) => {
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  const rateLimit = { max: options.requestsPerMinute ?? 20, timeWindow: 60_000 };

  app.get('/auth/twitch/start', { config: { rateLimit } }, async (request, reply) => {
    const started = await options.flow.begin((request.query as Record<string, unknown>).link);
    if (started === null) {
      return page(
        reply,
        400,
        'Link expired',
        'This link is invalid or expired. Ask the bot for a new one with /twitch link.',
      );
    }
    return reply
      .setCookie(LINK_COOKIE, started.browserNonce, {
        path: '/auth/twitch',
        httpOnly: true,
        secure: options.secureCookie,
        // Lax: the cookie comes back on Twitch's top-level redirect to the callback, never on cross-site subrequests.
        sameSite: 'lax',
        maxAge: LINK_FLOW_TTL_MS / 1000,
      })
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(started.authorizeUrl, 302);
  });

  app.get('/auth/twitch/callback', { config: { rateLimit } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const result = await options.flow.complete({
      state: query.state,
      browserNonce: request.cookies[LINK_COOKIE],
      code: query.code,
      error: query.error,
    });
    // A callback with someone else's state leaves this browser's own flow (and cookie) alone.
    if (result.outcome !== 'invalidState') reply.clearCookie(LINK_COOKIE, { path: '/auth/twitch' });
    if (result.outcome === 'linked') {
      return page(
        reply,
        200,
        'Twitch account linked',
        `Linked ${result.login}. Your stream's go-live now reaches the bot instantly. You can close this window.`,
      );
    }
    const [status, title, text] = COMPLETION_PAGES[result.outcome];
    return page(reply, status, title, text);
  });
};
