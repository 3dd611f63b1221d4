// Fixed-window buckets keyed like Discord's: one bucket hash per route template, counted per major parameter
// (channel, guild, webhook), plus one global window per bot token.
import { createHash } from 'node:crypto';

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitDecision {
  headers: Record<string, string>;
  /** Set when the request must be answered with 429. */
  exceeded?: { retryAfterMs: number; global: boolean; scope: 'user' | 'global' | 'shared' };
}

interface Window {
  resetAt: number;
  used: number;
}

export class RateLimiter {
  readonly #windows = new Map<string, Window>();

  /**
   * `now` is the clock the windows are counted on (default `Date.now`). A test that counts requests in one
   * window passes a clock it moves itself, so a slow machine cannot spread the requests over two windows.
   */
  constructor(
    private readonly global: RateLimitRule,
    private readonly now: () => number = Date.now,
  ) {}

  static bucketHash(template: string): string {
    return createHash('sha1').update(template).digest('hex').slice(0, 16);
  }

  /**
   * Counts one request. `global` is false for routes Discord exempts (interaction callbacks, webhook tokens).
   */
  take(options: {
    template: string;
    major: string;
    rule: RateLimitRule;
    globalKey: string | null;
  }): RateLimitDecision {
    const now = this.now();
    if (options.globalKey !== null) {
      const globalWindow = this.#window(`global:${options.globalKey}`, this.global, now);
      if (globalWindow.used >= this.global.limit) {
        return {
          headers: { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' },
          exceeded: { retryAfterMs: globalWindow.resetAt - now, global: true, scope: 'global' },
        };
      }
      globalWindow.used += 1;
    }
    const bucket = RateLimiter.bucketHash(options.template);
    const window = this.#window(`${bucket}:${options.major}`, options.rule, now);
    const resetAfterMs = Math.max(0, window.resetAt - now);
    const headers = {
      'X-RateLimit-Limit': String(options.rule.limit),
      'X-RateLimit-Remaining': String(Math.max(0, options.rule.limit - window.used - 1)),
      'X-RateLimit-Reset': (window.resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': (resetAfterMs / 1000).toFixed(3),
      'X-RateLimit-Bucket': bucket,
    };
    if (window.used >= options.rule.limit) {
      headers['X-RateLimit-Remaining'] = '0';
      return {
        headers: { ...headers, 'X-RateLimit-Scope': 'user' },
        exceeded: { retryAfterMs: resetAfterMs, global: false, scope: 'user' },
      };
    }
    window.used += 1;
    return { headers };
  }

  #window(key: string, rule: RateLimitRule, now: number): Window {
    let window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      window = { resetAt: now + rule.windowMs, used: 0 };
      this.#windows.set(key, window);
    }
    return window;
  }
}
