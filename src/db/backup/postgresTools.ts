import { spawn } from 'node:child_process';
import pg from 'pg';
import { AppError } from '../../shared/errors.js';

/**
 * pg_dump and pg_restore, run as child processes. The password never appears on a command line (other users
 * can read those in `ps`): it travels in PGPASSWORD, and the tools get the URL without it.
 */
interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function splitPassword(databaseUrl: string): { url: string; password?: string } {
  const url = new URL(databaseUrl);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), ...(password === undefined ? {} : { password }) };
}

function runTool(tool: string, args: string[], password?: string): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(password === undefined ? {} : { PGPASSWORD: password }) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new AppError(
              'backup.toolMissing',
              `${tool} was not found on PATH. Install the PostgreSQL client tools of the same major version as ` +
                'the server (Debian/Ubuntu: postgresql-client-<major>), or run the command where they are.',
            )
          : error,
      );
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Major version of a client tool, from `pg_dump --version` ("pg_dump (PostgreSQL) 15.20 (Debian …)"). */
export async function toolMajorVersion(tool: 'pg_dump' | 'pg_restore'): Promise<number> {
  const { stdout } = await runTool(tool, ['--version']);
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
  if (!match)
    throw new AppError('backup.toolVersion', `Cannot read the version of ${tool} from "${stdout.trim()}".`);
  return Number(match[1]);
}

export async function serverMajorVersion(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Math.floor(Number(rows[0]!.server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

/**
 * Writes a custom-format dump (compressed, restorable table by table with pg_restore). pg_dump reads one
 * snapshot, so the dump is consistent while the bot keeps writing. pg_dump cannot dump a newer server.
 */
export async function pgDump(options: { databaseUrl: string; file: string }): Promise<void> {
  const [tool, server] = await Promise.all([
    toolMajorVersion('pg_dump'),
    serverMajorVersion(options.databaseUrl),
  ]);
  if (tool < server) {
    throw new AppError(
      'backup.toolTooOld',
      `pg_dump ${tool} cannot dump a PostgreSQL ${server} server. Install the client tools of version ${server} ` +
        `(Debian/Ubuntu: postgresql-client-${server}) or run the backup inside the database container.`,
    );
  }
  const { url, password } = splitPassword(options.databaseUrl);
  const result = await runTool(
    'pg_dump',
    ['--format=custom', '--no-owner', '--no-privileges', `--file=${options.file}`, `--dbname=${url}`],
    password,
  );
  if (result.code !== 0) {
    throw new AppError(
      'backup.pgDumpFailed',
      `pg_dump failed (exit ${result.code}): ${result.stderr.trim()}`,
    );
  }
}

/**
 * Restores a custom-format dump into the (empty) database at `databaseUrl`, in one transaction: a failure
 * leaves the database as it was. Objects are owned by the connecting user.
 */
export async function pgRestore(options: { databaseUrl: string; file: string }): Promise<void> {
  const { url, password } = splitPassword(options.databaseUrl);
  const result = await runTool(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${url}`,
      options.file,
    ],
    password,
  );
  if (result.code !== 0) {
    throw new AppError(
      'backup.pgRestoreFailed',
      `pg_restore failed (exit ${result.code}); nothing was restored: ${result.stderr.trim()}`,
    );
  }
}
