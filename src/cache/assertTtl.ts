/**
 * A TTL that is zero, negative or not a number is a programming error, not an outage, so both cache
 * backends reject it the same way instead of silently storing a value that never (or instantly) expires.
 */
export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`cache TTL must be a positive whole number of seconds, got ${ttlSeconds}`);
  }
}
