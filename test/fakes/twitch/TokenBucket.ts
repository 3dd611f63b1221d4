/** Helix rate limit settings: `points` per `windowMs`, refilled continuously like Twitch's token bucket. */
export interface RateLimitOptions {
  points: number;
  windowMs: number;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Epoch seconds at which the bucket is full again (what Twitch sends as Ratelimit-Reset). */
  resetEpochSeconds: number;
}

/**
 * One token bucket. Twitch documents Ratelimit-Reset as the moment the bucket is full again; twurple waits until
 * then when Remaining hits 0, so a short test window keeps those waits short.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(private readonly options: RateLimitOptions) {
    this.tokens = options.points;
    this.updatedAt = Date.now();
  }

  /** Takes `cost` points if available; returns whether it did, and the state after the attempt. */
  take(cost = 1): { allowed: boolean; state: RateLimitState } {
    this.refill();
    const allowed = this.tokens >= cost;
    if (allowed) {
      this.tokens -= cost;
    }
    return { allowed, state: this.state() };
  }

  peek(): RateLimitState {
    this.refill();
    return this.state();
  }

  /** Empties the bucket (fault injection: "the next call will be rate limited"). */
  drain(): void {
    this.refill();
    this.tokens = 0;
  }

  private refill(): void {
    const now = Date.now();
    const perMs = this.options.points / this.options.windowMs;
    this.tokens = Math.min(this.options.points, this.tokens + (now - this.updatedAt) * perMs);
    this.updatedAt = now;
  }

  private state(): RateLimitState {
    const perMs = this.options.points / this.options.windowMs;
    const msToFull = (this.options.points - this.tokens) / perMs;
    return {
      limit: this.options.points,
      remaining: Math.floor(this.tokens),
      resetEpochSeconds: Math.ceil((Date.now() + msToFull) / 1000),
    };
  }
}
