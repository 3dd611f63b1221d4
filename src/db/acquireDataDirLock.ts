import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../shared/errors.js';

const LOCK_FILE = 'twitch-clip-search.lock';

/**
 * PGlite keeps the whole database in one process; a second process opening the same directory would
 * corrupt it. This pid file turns that mistake into a clear error. A lock whose process is gone (crash,
 * kill -9) is taken over.
 */
export async function acquireDataDirLock(options: {
  dataDir: string;
}): Promise<{ release(): Promise<void> }> {
  await mkdir(options.dataDir, { recursive: true });
  const lockPath = path.join(options.dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return {
        async release() {
          await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isProcessAlive(owner)) {
        throw new AppError(
          'db.dataDirInUse',
          `The embedded database in ${options.dataDir} is already open in process ${owner}. PGlite supports ` +
            'one process at a time: stop that process, or set DATABASE_URL to use PostgreSQL for several processes.',
        );
      }
      if (owner === process.pid) {
        throw new AppError(
          'db.dataDirInUse',
          `The embedded database in ${options.dataDir} is already open in this process; close it before reopening.`,
        );
      }
      // Stale lock from a process that no longer exists.
      await rm(lockPath, { force: true });
    }
  }
  throw new AppError('db.dataDirInUse', `Could not lock the embedded database in ${options.dataDir}.`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
