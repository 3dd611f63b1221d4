/**
 * The fake's notion of "now" for simulated time: clip visibility, the default Get Clips window, stream start
 * times. Tokens, rate-limit buckets and EventSub message timestamps stay on real time because twurple compares
 * them with Date.now() (a frozen clock there would make twurple drop notifications or wait forever).
 */
export class FakeClock {
  private frozenAt: number | null = null;
  private offsetMs = 0;

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  nowDate(): Date {
    return new Date(this.now());
  }

  /** Freezes the clock at the given instant; it stays there until advance() or useRealTime(). */
  set(instant: Date | number | string): void {
    const ms =
      instant instanceof Date
        ? instant.getTime()
        : typeof instant === 'string'
          ? Date.parse(instant)
          : instant;
    if (!Number.isFinite(ms)) {
      throw new Error(`FakeClock.set: invalid instant ${String(instant)}`);
    }
    this.frozenAt = ms;
  }

  /** Moves the clock forward (frozen or running). */
  advance(ms: number): void {
    if (this.frozenAt === null) {
      this.offsetMs += ms;
    } else {
      this.frozenAt += ms;
    }
  }

  /** Back to real time with no offset. */
  useRealTime(): void {
    this.frozenAt = null;
    this.offsetMs = 0;
  }
}
