// How `npm run db:backup` asks a running bot for a copy of its embedded database. PGlite lives inside the
// bot's process and the data directory is locked to it, so a second process cannot read the files safely;
// the bot can, between two transactions. The two processes talk through files in the data directory:
// whoever may write there may already copy the database, so this needs no further authorisation and opens
// no network port.
//
//   command: <DATA_DIR>/backup-requests/<id>.request.json  {"output": "/abs/path.tar.gz"}  (write + rename)
//   bot:     deletes the request (it has been picked up), writes the tarball to output (via output.partial),
//            then <id>.result.json  {"ok": true, "bytes": n} or {"ok": false, "error": "…"}
//   command: reads and deletes the result.
import { access } from 'node:fs/promises';
import path from 'node:path';

export const REQUESTS_DIR_NAME = 'backup-requests';
export const REQUEST_SUFFIX = '.request.json';
export const RESULT_SUFFIX = '.result.json';

export interface BackupRequest {
  /** Absolute path of the tarball to write; outside the data directory. */
  output: string;
}

export type BackupResult = { ok: true; bytes: number } | { ok: false; error: string };

export function requestsDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), REQUESTS_DIR_NAME);
}

/**
 * Why `output` cannot receive a backup of `dataDir`, or null when it can. A backup inside the data directory
 * would be copied into every later backup.
 */
export function outputProblem(output: string, dataDir: string): string | null {
  if (!path.isAbsolute(output)) return `the output path must be absolute (got ${output})`;
  const relative = path.relative(path.resolve(dataDir), output);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    return `the output ${output} is inside the data directory ${dataDir}; write backups elsewhere`;
  }
  return null;
}

export function pathExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
