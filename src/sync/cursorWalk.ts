/** Why a Get Clips cursor walk was cut off. */
export type PagingStop = 'repeated_cursor' | 'page_cap';

/**
 * Guards one Helix cursor walk (the pages of one query window) against a cursor that never ends: Twitch
 * handing back a cursor it already gave (a loop), or more pages than one query can return. Without it a
 * misbehaving reply would spend the whole Helix budget on one channel.
 */
export class CursorWalk {
  private readonly seen = new Set<string>();
  private pages = 0;

  constructor(
    private readonly maxPages: number,
    /** The cursor this walk resumes from (a backfill continues a saved one). */
    startCursor: string | null = null,
  ) {
    if (startCursor !== null) this.seen.add(startCursor);
  }

  /** Records a page and the cursor it returned; returns why paging must stop here, or null to go on. */
  next(cursor: string | null): PagingStop | null {
    this.pages += 1;
    if (cursor === null) return null;
    if (this.seen.has(cursor)) return 'repeated_cursor';
    this.seen.add(cursor);
    return this.pages >= this.maxPages ? 'page_cap' : null;
  }
}
