/**
 * The rules of the delivery worker that need no database or Discord: nonces, retry backoff, and what a
 * Discord error means for a delivery.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';

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

/** Discord codes that no retry can fix: the channel is gone or the bot may not post there. */
export const CHANNEL_PROBLEM_CODES: Record<string, string> = {
  '10003': 'Unknown Channel',
  '50001': 'Missing Access',
  '50013': 'Missing Permissions',
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

export function classifyDeliveryError(error: unknown): DeliveryFailure {
  if (error instanceof DiscordAPIError) {
    const code = String(error.code);
    const known = CHANNEL_PROBLEM_CODES[code];
    if (known !== undefined) return { kind: 'channel-problem', code, reason: `${known} (${code})` };
    if (error.status >= 500 || error.status === 429) {
      return {
        kind: 'transient',
        reason: `Discord ${error.status} (${code}): ${error.message}`.slice(0, 300),
      };
    }
    // 401 means our token is wrong (an operator problem, not this message's): retry instead of dropping.
    if (error.status === 401) return { kind: 'transient', reason: `Discord 401: ${error.message}` };
    return { kind: 'rejected', reason: `Discord ${error.status} (${code}): ${error.message}`.slice(0, 300) };
  }
  if (error instanceof HTTPError) {
    return { kind: 'transient', reason: `Discord HTTP ${error.status} ${error.message}`.slice(0, 300) };
  }
  if (error instanceof RateLimitError) {
    return { kind: 'transient', reason: `rate limited on ${error.route}`, retryAfterMs: error.retryAfter };
  }
  return { kind: 'transient', reason: describe(error) };
}
