/**
 * The rules of the delivery worker that need no database or Discord: nonces, retry backoff, and what a
 * Discord error means for a delivery.
 */

/** Discord accepts nonces of at most 25 characters. */
export const MAX_NONCE_LENGTH = 25;

/**
 * The nonce of a delivery message: derived from its first delivery's id (unique in this database) plus a
 * random salt (so two installations posting to one channel never collide). Stored with the message and
 * sent unchanged on every retry, so Discord returns the first message instead of posting again.
 */
export function deliveryNonce(firstDeliveryId: bigint, salt: string): string {
  const nonce = `tcs${firstDeliveryId.toString(36)}.${salt.replace(/[^a-z0-9]/gi, '')}`;
  return nonce.slice(0, MAX_NONCE_LENGTH);
}

export function randomSalt(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

/**
 * Delay before retry `attempt` (1 = the first retry): exponential from `baseMs`, capped at `maxMs`, with
 * jitter over the upper half so many channels failing together do not retry in lock-step.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Delay before the next try after a transient failure of try `attempt`: the backoff above, or Discord's
 * `Retry-After` when that is longer.
 */
export function nextRetryDelayMs(
  attempt: number,
  failure: { retryAfterMs?: number },
  options: { retryBaseMs: number; retryMaxMs: number },
): number {
  return Math.max(
    failure.retryAfterMs ?? 0,
    retryDelayMs(attempt, { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs }),
  );
}

/**
 * Discord codes that no retry can fix: the channel is gone, the bot may not post there, or the forum wants a
 * tag on every post (the bot sets none; an admin can lift the requirement).
 */
export const CHANNEL_PROBLEM_CODES: Record<string, string> = {
  '10003': 'Unknown Channel',
  '50001': 'Missing Access',
  '50013': 'Missing Permissions',
  '40067': 'A tag is required to create a forum post in this channel',
};

export type DeliveryFailure =
  /** Pause the subscription and tell the guild how to fix it. */
  | { kind: 'channel-problem'; code: string; reason: string }
  /** Discord refused this message (e.g. 50035 Invalid Form Body): retrying the same payload cannot help. */
  | { kind: 'rejected'; reason: string }
  /** 5xx, timeout, network error, rate limit: the outcome is unknown or transient; retry later. */
  | { kind: 'transient'; reason: string; retryAfterMs?: number };

/** Short, token-free description of an error for last_error columns and logs. */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}

/*
 * @discordjs/rest ships an ESM and a CommonJS build. discord.js (CommonJS) loads the CommonJS one, so the
 * bot's `client.rest` throws those classes while an ESM `import { DiscordAPIError }` sees the others, and
 * `instanceof` fails on exactly the errors that matter (dual package hazard). Its errors are recognised by
 * name and shape instead, which holds for both builds.
 */
interface DiscordApiErrorShape {
  code: number | string;
  status: number;
  message: string;
}

/** A Discord error answer (DiscordAPIError of either build), or null. */
export function asDiscordApiError(error: unknown): DiscordApiErrorShape | null {
  if (!(error instanceof Error) || !error.name.startsWith('DiscordAPIError')) return null;
  const { code, status } = error as Error & Partial<DiscordApiErrorShape>;
  if (typeof status !== 'number' || (typeof code !== 'number' && typeof code !== 'string')) return null;
  return { code, status, message: error.message };
}

function asHttpError(error: unknown): { status: number; message: string } | null {
  if (!(error instanceof Error) || error.name !== 'HTTPError') return null;
  const { status } = error as Error & { status?: unknown };
  return typeof status === 'number' ? { status, message: error.message } : null;
}

function asRateLimitError(error: unknown): { route: string; retryAfter: number } | null {
  if (!(error instanceof Error) || !error.name.startsWith('RateLimitError')) return null;
  const { route, retryAfter } = error as Error & { route?: unknown; retryAfter?: unknown };
  return typeof retryAfter === 'number' ? { route: String(route), retryAfter } : null;
}

/**
 * A problem of the target channel found by our own logic rather than named by one Discord answer (e.g. a
 * 50013 while managing webhooks means "give Manage Webhooks", not "give Send Messages"): pause and tell.
 */
export class ChannelProblemError extends Error {
  override readonly name = 'ChannelProblemError';
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function classifyDeliveryError(error: unknown): DeliveryFailure {
  if (error instanceof ChannelProblemError)
    return { kind: 'channel-problem', code: error.code, reason: error.reason };
  const apiError = asDiscordApiError(error);
  if (apiError !== null) {
    const code = String(apiError.code);
    const known = CHANNEL_PROBLEM_CODES[code];
    if (known !== undefined) return { kind: 'channel-problem', code, reason: `${known} (${code})` };
    if (apiError.status >= 500 || apiError.status === 429) {
      return {
        kind: 'transient',
        reason: `Discord ${apiError.status} (${code}): ${apiError.message}`.slice(0, 300),
      };
    }
    // 401 means our token is wrong (an operator problem, not this message's): retry instead of dropping.
    if (apiError.status === 401) return { kind: 'transient', reason: `Discord 401: ${apiError.message}` };
    return {
      kind: 'rejected',
      reason: `Discord ${apiError.status} (${code}): ${apiError.message}`.slice(0, 300),
    };
  }
  const httpError = asHttpError(error);
  if (httpError !== null) {
    return {
      kind: 'transient',
      reason: `Discord HTTP ${httpError.status} ${httpError.message}`.slice(0, 300),
    };
  }
  const rateLimit = asRateLimitError(error);
  if (rateLimit !== null) {
    return {
      kind: 'transient',
      reason: `rate limited on ${rateLimit.route}`,
      retryAfterMs: rateLimit.retryAfter,
    };
  }
  return { kind: 'transient', reason: describe(error) };
}
