import type { Database, SqlExecutor } from '../../db/Database.js';
import { UserError } from '../../shared/errors.js';

/**
 * Time one search may spend in the database, all its statements together. Ordinary searches take
 * 1–30 ms at a million clips (docs/search.md); what runs longer reads a large part of an index and is
 * answered with "too broad" instead of holding a connection. Generous, because a loaded machine slows
 * every statement alike (on a 2-core machine running eight test workers, a fixture search's trigram step
 * measured over 500 ms): the bound is against runaway scans, not a latency target.
 */
export const SEARCH_TIMEOUT_MS = 2_000;

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or a cancel request). */
const QUERY_CANCELED = '57014';

export function searchTooBroad(): UserError {
  return new UserError(
    'search.tooBroad',
    'That search is too broad to finish in time. Add a word or a filter (a channel, a game, a period) and try again.',
  );
}

/**
 * Runs one search's statements under a deadline.
 *
 * PostgreSQL: in one transaction whose `statement_timeout` is set (transaction-locally, so the pooled
 * connection keeps its default; parallel workers are turned off alike) to the time left, and set again before a statement that could otherwise
 * run past the deadline, so the server itself cancels whatever would.
 *
 * PGlite: `statement_timeout` has no effect there (no timer signals in the WASM build; measured: a 15 s
 * statement ran to the end with a 200 ms timeout), and a statement blocks the whole process while it runs.
 * So each statement there must be bounded by construction (capped walks, capped term lists, see
 * buildSearchSql and parseSearchText), statements run one at a time outside any transaction, each after
 * a yield to the event loop (every other caller gets the process and the connection between them), and the
 * deadline is checked before each one.
 */
export async function withSearchDeadline<T>(
  db: Database,
  timeoutMs: number,
  work: (sql: SqlExecutor) => Promise<T>,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  if (db.kind === 'postgres') {
    return db.sql.transaction((tx) => work(deadlineExecutor(tx, deadline, true)));
  }
  return work(deadlineExecutor(db.sql, deadline, false));
}

/**
 * The server-side timeout is set again only when the one in force would let a statement run more than this
 * past the deadline: a search's statements usually all start within milliseconds of each other, so that is
 * one `set_config` round trip per search, not one per statement.
 */
const TIMEOUT_SLACK_MS = 100;

function deadlineExecutor(
  inner: SqlExecutor,
  deadline: number,
  serverTimeout: boolean,
  // Shared by the nested executors of one search: the statement_timeout in force, if set.
  inForce: { ms: number | null } = { ms: null },
): SqlExecutor {
  const beforeStatement = async () => {
    // PGlite runs a statement synchronously inside this thread, and a search's next statement would be
    // started from the previous one's promise continuation, before timers or I/O get a turn: without a
    // macrotask yield, a search's statements run back to back and an HTTP /readyz, a Discord heartbeat or
    // a sync write cannot even be queued until the search ends.
    if (!serverTimeout) await new Promise((resolve) => setImmediate(resolve));
    const now = performance.now();
    const remaining = Math.ceil(deadline - now);
    if (remaining <= 0) throw searchTooBroad();
    if (serverTimeout && (inForce.ms === null || now + inForce.ms > deadline + TIMEOUT_SLACK_MS)) {
      // No parallel workers either: a search is a few milliseconds of index reads, and starting workers
      // costs more than that (measured: 30–60 ms for a Gather whose branch was never run, on a busy
      // 2-core machine), besides taking worker slots from everything else.
      await inner.query(
        `SELECT set_config('statement_timeout', $1, true), set_config('max_parallel_workers_per_gather', '0', true)`,
        [`${remaining}ms`],
      );
      inForce.ms = remaining;
    }
  };
  return {
    async query<Row extends object>(text: string, params?: unknown[]) {
      await beforeStatement();
      return inner.query<Row>(text, params).catch(rethrowTimeout);
    },
    async exec(text) {
      await beforeStatement();
      await inner.exec(text).catch(rethrowTimeout);
    },
    transaction: (work) =>
      inner.transaction((tx) => work(deadlineExecutor(tx, deadline, serverTimeout, inForce))),
    withConnection: (work) =>
      inner.withConnection((connection) =>
        work(deadlineExecutor(connection, deadline, serverTimeout, inForce)),
      ),
  };
}

function rethrowTimeout(error: unknown): never {
  if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === QUERY_CANCELED) {
    throw searchTooBroad();
  }
  throw error;
}
