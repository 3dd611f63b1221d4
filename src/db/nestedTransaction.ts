import { cleanUpAndRethrow } from './cleanUpAndRethrow.js';
import type { SqlExecutor } from './Database.js';

/**
 * Runs `work` inside a SAVEPOINT on an executor that is already in a transaction, so that
 * `tx.transaction(...)` nests instead of failing with "there is already a transaction in progress".
 */
export async function runInSavepoint<T>(options: {
  executor: SqlExecutor;
  depth: number;
  work: (tx: SqlExecutor) => Promise<T>;
}): Promise<T> {
  const { executor, depth, work } = options;
  const name = `nested_${depth}`;
  await executor.query(`SAVEPOINT ${name}`);
  try {
    const result = await work(executor);
    await executor.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    return cleanUpAndRethrow(error, () => executor.query(`ROLLBACK TO SAVEPOINT ${name}`));
  }
}
