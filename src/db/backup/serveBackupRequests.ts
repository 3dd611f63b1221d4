import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge } from '../../observability/metrics.js';
import type { PgliteDatabase } from '../openPgliteDatabase.js';
import {
  outputProblem,
  REQUEST_SUFFIX,
  requestsDir,
  RESULT_SUFFIX,
  type BackupRequest,
  type BackupResult,
} from './backupRequestFiles.js';
import { publishNewFile } from './publishNewFile.js';

/** A request older than this was left by a command that gave up (or a restored copy): never served. */
const STALE_REQUEST_MS = 60_000;
/** Safety net for file systems whose change events get lost (network mounts): rescan this often. */
const RESCAN_INTERVAL_MS = 30_000;

export interface BackupRequestServer {
  stop(): Promise<void>;
}

/**
 * Serves `npm run db:backup` while the bot holds the embedded database (see backupRequestFiles.ts): watches
 * the request directory, writes each requested backup, one at a time, and answers with a result file.
 */
export async function serveBackupRequests(options: {
  db: Pick<PgliteDatabase, 'dumpDataDir'>;
  dataDir: string;
  logger: Logger;
  registry: Registry;
}): Promise<BackupRequestServer> {
  const logger = options.logger.child({ module: 'db.backup' });
  const backups = getOrCreateCounter(options.registry, {
    name: 'tcs_db_backups_total',
    help: 'Backups of the embedded database written on request, by outcome (ok|error|stale)',
    labelNames: ['outcome'],
  });
  const lastSuccess = getOrCreateGauge(options.registry, {
    name: 'tcs_db_backup_last_success_timestamp_seconds',
    help: 'Unix time of the last backup of the embedded database written on request (0 = none yet)',
  });
  lastSuccess.set(0);
  const dir = requestsDir(options.dataDir);
  await mkdir(dir, { recursive: true });

  let stopped = false;
  let scanning: Promise<void> = Promise.resolve();
  let rescanRequested = false;

  const serveOne = async (file: string): Promise<void> => {
    const id = file.slice(0, -REQUEST_SUFFIX.length);
    const requestPath = path.join(dir, file);
    let request: BackupRequest;
    let age: number;
    try {
      age = Date.now() - (await stat(requestPath)).mtimeMs;
      request = JSON.parse(await readFile(requestPath, 'utf8')) as BackupRequest;
      // Deleting the request tells the waiting command it was picked up.
      await rm(requestPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await rm(requestPath, { force: true });
      await answer(id, { ok: false, error: `unreadable backup request: ${(error as Error).message}` });
      backups.inc({ outcome: 'error' });
      return;
    }
    if (age > STALE_REQUEST_MS) {
      logger.warn({ requestId: id, ageMs: Math.round(age) }, 'ignored a stale backup request');
      backups.inc({ outcome: 'stale' });
      return;
    }
    const problem =
      typeof request.output === 'string' ? outputProblem(request.output, options.dataDir) : 'no output path';
    if (problem) {
      await answer(id, { ok: false, error: problem });
      backups.inc({ outcome: 'error' });
      return;
    }
    const started = Date.now();
    try {
      const tarball = Buffer.from(await (await options.db.dumpDataDir('gzip')).arrayBuffer());
      await mkdir(path.dirname(request.output), { recursive: true });
      await publishNewFile(request.output, (temporary) => writeFile(temporary, tarball));
      backups.inc({ outcome: 'ok' });
      lastSuccess.set(Date.now() / 1000);
      logger.info(
        { requestId: id, output: request.output, bytes: tarball.length, ms: Date.now() - started },
        'embedded database backup written',
      );
      await answer(id, { ok: true, bytes: tarball.length });
    } catch (error) {
      backups.inc({ outcome: 'error' });
      logger.error({ requestId: id, output: request.output, err: error }, 'embedded database backup failed');
      await answer(id, { ok: false, error: (error as Error).message });
    }
  };

  const answer = async (id: string, result: BackupResult): Promise<void> => {
    const target = path.join(dir, `${id}${RESULT_SUFFIX}`);
    await writeFile(`${target}.tmp`, JSON.stringify(result));
    await rename(`${target}.tmp`, target);
  };

  const scan = async (): Promise<void> => {
    const files = (await readdir(dir).catch(() => [] as string[])).filter((name) =>
      name.endsWith(REQUEST_SUFFIX),
    );
    for (const file of files.sort()) {
      if (stopped) return;
      await serveOne(file);
    }
  };

  // Scans never overlap; events during a scan ask for exactly one more.
  const requestScan = (): void => {
    if (rescanRequested || stopped) return;
    rescanRequested = true;
    scanning = scanning.then(async () => {
      rescanRequested = false;
      await scan().catch((error: unknown) => logger.error({ err: error }, 'backup request scan failed'));
    });
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => requestScan());
    watcher.on('error', (error) =>
      logger.warn({ err: error }, 'backup request watcher failed; rescanning every 30 s'),
    );
  } catch (error) {
    logger.warn({ err: error }, 'cannot watch the backup request directory; rescanning every 30 s');
  }
  const timer = setInterval(requestScan, RESCAN_INTERVAL_MS);
  timer.unref();
  requestScan();
  logger.info({ dir }, 'serving embedded database backup requests');

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      watcher?.close();
      // A backup in progress finishes (the shutdown deadline bounds the wait).
      await scanning;
    },
  };
}
