// A private, throw-away PostgreSQL cluster (initdb + pg_ctl in a temp directory, on a free port) that a test
// may stop and start at will. The shared server on 5432 is never touched: other test files and helpers use
// it in parallel. As root (CI), the server runs as the `postgres` user through `runuser`, since PostgreSQL
// refuses to run as root.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redisServer.js';

const run = promisify(execFile);

/** The directory holding initdb/pg_ctl: `pg_config --bindir`, else Debian's newest /usr/lib/postgresql/N/bin. */
async function postgresBinDir(): Promise<string> {
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    const dir = stdout.trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // No pg_config on PATH: look where Debian installs the server.
  }
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install the postgresql package');
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: group } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
}

export class PostgresServer {
  readonly #bin: string;
  readonly #dir: string;
  readonly #asRoot: boolean;
  #destroyed = false;

  private constructor(
    bin: string,
    dir: string,
    asRoot: boolean,
    readonly port: number,
  ) {
    this.#bin = bin;
    this.#dir = dir;
    this.#asRoot = asRoot;
  }

  /** Creates and starts a new cluster: trust auth, user `postgres`, no fsync (nothing here must survive). */
  static async create(): Promise<PostgresServer> {
    const bin = await postgresBinDir();
    const dir = await mkdtemp(path.join(tmpdir(), 'tcs-pg-'));
    const asRoot = process.getuid?.() === 0;
    const server = new PostgresServer(bin, dir, asRoot, await freePort());
    try {
      if (asRoot) {
        const { uid, gid } = await postgresUser();
        await chown(dir, uid, gid);
      }
      await server.#pg('initdb', [
        '-D',
        server.#dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ]);
      await server.start();
      return server;
    } catch (error) {
      await server.destroy();
      throw error;
    }
  }

  get #dataDir(): string {
    return path.join(this.#dir, 'data');
  }

  /** A URL for database `name` on this server. */
  url(name = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.#dir}`,
      '-c fsync=off',
      '-c max_connections=60',
      '-c shared_buffers=16MB',
    ].join(' ');
    await this.#pg('pg_ctl', [
      '-D',
      this.#dataDir,
      '-l',
      path.join(this.#dir, 'server.log'),
      '-o',
      options,
      '-w',
      'start',
    ]);
  }

  /**
   * Stops the server. `immediate` is a crash as far as clients are concerned: every backend is ended at once
   * without a goodbye, and the next start runs crash recovery.
   */
  async stop(mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
    await this.#pg('pg_ctl', ['-D', this.#dataDir, '-m', mode, '-w', 'stop']);
  }

  /** Stops the server if it runs and removes its directory. Safe to call more than once. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (existsSync(path.join(this.#dataDir, 'postmaster.pid'))) {
      await this.stop('immediate').catch(() => undefined);
    }
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** Runs a PostgreSQL program, as the postgres user when this process is root. */
  async #pg(program: string, args: string[]): Promise<void> {
    const file = path.join(this.#bin, program);
    try {
      if (this.#asRoot) await run('runuser', ['-u', 'postgres', '--', file, ...args]);
      else await run(file, args);
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`${program} failed: ${stderr?.trim() || String(error)}`);
    }
  }
}
