import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { SqlExecutor } from './Database.js';
import { applyMigrations } from './migrate.js';
import { runInSavepoint } from './nestedTransaction.js';

/** An executor that answers the statements it is given answers for and throws for `failing` ones. */
function scriptedExecutor(failing: Record<string, Error>, answers: Record<string, unknown[]> = {}) {
  const statements: string[] = [];
  const run = (text: string) => {
    statements.push(text);
    for (const [prefix, error] of Object.entries(failing)) if (text.includes(prefix)) throw error;
    for (const [prefix, rows] of Object.entries(answers)) if (text.includes(prefix)) return rows;
    return [];
  };
  const executor: SqlExecutor = {
    query: async <Row extends object>(text: string) => run(text) as Row[],
    exec: async (text) => void run(text),
    transaction: (work) => work(executor),
    withConnection: (work) => work(executor),
  };
  return { executor, statements };
}

describe('a failing clean-up never hides the error that caused it', () => {
  it('rethrows the error from inside a savepoint when ROLLBACK TO SAVEPOINT fails', async () => {
    const rollbackError = new Error('connection lost');
    const { executor, statements } = scriptedExecutor({ 'ROLLBACK TO': rollbackError });
    const cause = new Error('constraint violated');
    const failure = await runInSavepoint({
      executor,
      depth: 1,
      work: () => Promise.reject(cause),
    }).catch((error: unknown) => error);
    expect(failure).toBe(cause);
    expect((failure as { cleanupError?: unknown }).cleanupError).toBe(rollbackError);
    expect(statements).toContain('ROLLBACK TO SAVEPOINT nested_1');
  });

  it('reports why migrating failed when releasing the migration lock fails as well', async () => {
    const { executor, statements } = scriptedExecutor(
      {
        _prisma_migrations: new Error('permission denied for schema public'),
        pg_advisory_unlock: new Error('server closed the connection'),
      },
      { pg_try_advisory_lock: [{ locked: true }] },
    );
    const failure = await applyMigrations({ sql: executor, logger: pino({ level: 'silent' }) }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).message).toBe('permission denied for schema public');
    expect(((failure as { cleanupError?: Error }).cleanupError as Error).message).toBe(
      'server closed the connection',
    );
    expect(statements.some((text) => text.includes('pg_advisory_unlock'))).toBe(true);
  });
});
