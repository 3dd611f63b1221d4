import type { Database } from '../../db/Database.js';
import { UserError } from '../../shared/errors.js';

export interface SearchAdmissionLimits {
  /** Searches running against the database at once; the rest wait in line. */
  concurrent: number;
  /** Searches waiting for a turn; beyond this a search is refused at once instead of piling up. */
  waiting: number;
  /** Searches one requester (a Discord user) may have running or waiting at once. */
  perRequester: number;
}

/**
 * PGlite has one connection, and a statement blocks the whole process while it runs: one search at a time,
 * so every other caller (the sync, `/readyz`, commands) gets the connection between its statements.
 * PostgreSQL keeps most of its pool (10 connections by default) for everything else.
 */
export const DEFAULT_ADMISSION_LIMITS: Record<Database['kind'], SearchAdmissionLimits> = {
  pglite: { concurrent: 1, waiting: 8, perRequester: 2 },
  postgres: { concurrent: 4, waiting: 16, perRequester: 2 },
};

/**
 * Bounds the searches of one process: how many run at once (a semaphore with a bounded line) and how many
 * one requester may hold. A refused search is a `UserError`, so the user sees why and nothing is logged
 * as a failure.
 */
export class SearchAdmission {
  readonly #limits: SearchAdmissionLimits;
  #running = 0;
  readonly #line: Array<() => void> = [];
  readonly #perRequester = new Map<string, number>();

  constructor(limits: SearchAdmissionLimits) {
    this.#limits = limits;
  }

  /** Runs `work` when a turn is free; throws a `UserError` when the requester or the line is full. */
  async run<T>(requesterId: string | undefined, work: () => Promise<T>): Promise<T> {
    if (requesterId !== undefined) {
      const held = this.#perRequester.get(requesterId) ?? 0;
      if (held >= this.#limits.perRequester) {
        throw new UserError(
          'search.tooManyRunning',
          'You already have searches running. Wait for them to finish, then search again.',
        );
      }
      this.#perRequester.set(requesterId, held + 1);
    }
    try {
      await this.#acquire();
      try {
        return await work();
      } finally {
        this.#release();
      }
    } finally {
      if (requesterId !== undefined) {
        const held = (this.#perRequester.get(requesterId) ?? 1) - 1;
        if (held <= 0) this.#perRequester.delete(requesterId);
        else this.#perRequester.set(requesterId, held);
      }
    }
  }

  /** Searches running and waiting, for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#line.length };
  }

  async #acquire(): Promise<void> {
    if (this.#running < this.#limits.concurrent) {
      this.#running += 1;
      return;
    }
    if (this.#line.length >= this.#limits.waiting) {
      throw new UserError('search.busy', 'Search is busy right now. Try again in a few seconds.');
    }
    // The releasing search hands its turn over directly, so #running stays counted.
    await new Promise<void>((resolve) => this.#line.push(resolve));
  }

  #release(): void {
    const next = this.#line.shift();
    if (next === undefined) this.#running -= 1;
    else next();
  }
}

// One admission per database (that is, per process: main opens one): what the limits protect is the
// database's connections. Keyed weakly, like the term statistics, so nothing outlives its database.
const admissions = new WeakMap<Database, SearchAdmission>();

export function searchAdmissionFor(db: Database): SearchAdmission {
  let admission = admissions.get(db);
  if (admission === undefined) {
    admission = new SearchAdmission(DEFAULT_ADMISSION_LIMITS[db.kind]);
    admissions.set(db, admission);
  }
  return admission;
}
