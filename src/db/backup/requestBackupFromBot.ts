import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors.js';
import {
  outputProblem,
  pathExists,
  REQUEST_SUFFIX,
  requestsDir,
  RESULT_SUFFIX,
  type BackupRequest,
  type BackupResult,
} from './backupRequestFiles.js';

/**
 * Asks the bot that holds `dataDir` for a backup written to `output` (see backupRequestFiles.ts) and waits
 * for it. Fails clearly when no bot picks the request up (an older version, or a hung process).
 */
export async function requestBackupFromBot(options: {
  dataDir: string;
  output: string;
  pickupTimeoutMs?: number;
  completionTimeoutMs?: number;
}): Promise<{ bytes: number }> {
  const problem = outputProblem(options.output, options.dataDir);
  if (problem) throw new AppError('backup.badOutput', `Cannot write the backup: ${problem}.`);
  const dir = requestsDir(options.dataDir);
  if (!(await pathExists(dir))) {
    throw new AppError(
      'backup.botNotServing',
      `The embedded database in ${options.dataDir} is open in another process that does not serve backup ` +
        'requests (an older version?). Stop it and run the backup again.',
    );
  }
  const id = randomUUID();
  const requestPath = path.join(dir, `${id}${REQUEST_SUFFIX}`);
  const resultPath = path.join(dir, `${id}${RESULT_SUFFIX}`);
  const request: BackupRequest = { output: options.output };
  // Written under another name first: the bot must never read half a request.
  await writeFile(`${requestPath}.tmp`, JSON.stringify(request));
  await rename(`${requestPath}.tmp`, requestPath);

  const pickupDeadline = Date.now() + (options.pickupTimeoutMs ?? 15_000);
  while (await pathExists(requestPath)) {
    if (Date.now() > pickupDeadline) {
      await rm(requestPath, { force: true });
      throw new AppError(
        'backup.botNotServing',
        `No process picked up the backup request within ${Math.round((options.pickupTimeoutMs ?? 15_000) / 1000)} s. ` +
          `The embedded database in ${options.dataDir} is locked by a process that does not answer (hung, or an ` +
          'older version): stop it and run the backup again.',
      );
    }
    await sleep(100);
  }
  const completionDeadline = Date.now() + (options.completionTimeoutMs ?? 10 * 60_000);
  while (!(await pathExists(resultPath))) {
    if (Date.now() > completionDeadline) {
      throw new AppError(
        'backup.timeout',
        `The bot took the backup request but has not finished it; check its log.`,
      );
    }
    await sleep(100);
  }
  const result = JSON.parse(await readFile(resultPath, 'utf8')) as BackupResult;
  await rm(resultPath, { force: true });
  if (!result.ok) throw new AppError('backup.failed', `The bot could not write the backup: ${result.error}`);
  return { bytes: result.bytes };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
