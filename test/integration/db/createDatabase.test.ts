import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityOf } from '../../../src/db/acquireDataDirLock.js';
import { createDatabase } from '../../../src/db/createDatabase.js';
import type { Database } from '../../../src/db/Database.js';
import { applyMigrations } from '../../../src/db/migrate.js';
import { AppError } from '../../../src/shared/errors.js';
import { createTestPostgresDatabase, openTestDatabase, testLogger } from '../../support/databases.js';

const logger = testLogger();

/** Runs `count` queries at once that each hold a connection for a while; returns the backends used. */
async function backendsUsed(db: Database, count: number): Promise<number> {
  const rows = await Promise.all(
    Array.from({ length: count }, () =>
      db.sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid FROM pg_sleep(0.2)'),
    ),
  );
  return new Set(rows.map(([row]) => row!.pid)).size;
}

describe('createDatabase with a PostgreSQL URL', () => {
  let url: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ url, drop } = await createTestPostgresDatabase());
  });
  afterAll(async () => {
    await drop();
  });

  it('never opens more connections than poolSize', async () => {
    const db = await createDatabase({ databaseUrl: url, poolSize: 3, logger });
    try {
      expect(db.kind).toBe('postgres');
      expect(await backendsUsed(db, 9)).toBe(3);
    } finally {
      await db.close();
    }
  });

  it('uses a pool of 10 connections by default', async () => {
    const db = await createDatabase({ databaseUrl: url, logger });
    try {
      expect(await backendsUsed(db, 12)).toBe(10);
    } finally {
      await db.close();
    }
  });

  it('answers ping while open, rejects it after close, and closes idempotently', async () => {
    const db = await createDatabase({ databaseUrl: url, poolSize: 1, logger });
    await expect(db.ping()).resolves.toBeUndefined();
    await db.close();
    await expect(db.ping()).rejects.toThrow();
    await expect(db.close()).resolves.toBeUndefined();
  });

  it('fails to open, without hanging, when the server refuses the database', async () => {
    const missing = new URL(url);
    missing.pathname = '/tcs_test_does_not_exist';
    await expect(createDatabase({ databaseUrl: missing.toString(), logger })).rejects.toThrow(
      /does not exist/,
    );
  });

  it('reports the error that failed a transaction when its ROLLBACK fails too, and drops the connection', async () => {
    const db = await createDatabase({ databaseUrl: url, poolSize: 2, logger });
    try {
      const failure = await db.sql
        .transaction(async (tx) => {
          const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          // Another connection ends this one, so the ROLLBACK after our error cannot be sent.
          await db.sql.query('SELECT pg_terminate_backend($1)', [row!.pid]);
          throw new Error('the real cause');
        })
        .catch((error: unknown) => error);
      expect((failure as Error).message).toBe('the real cause');
      expect((failure as { cleanupError?: unknown }).cleanupError).toBeInstanceOf(Error);
      // The dead connection went back to the pool as broken: both connections still work.
      expect(await backendsUsed(db, 2)).toBe(2);
    } finally {
      await db.close();
    }
  });

  it.each(['transaction', 'withConnection'] as const)(
    'survives the server ending a connection checked out by %s between two queries',
    async (method) => {
      // Without a listener on the checked-out client, node-postgres's 'error' event for the ended
      // connection is an uncaught exception (vitest reports it and the run fails; the bot would exit).
      const db = await createDatabase({ databaseUrl: url, poolSize: 2, logger });
      try {
        const failure = await db.sql[method](async (connection) => {
          const [row] = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await db.sql.query('SELECT pg_terminate_backend($1)', [row!.pid]);
          // Let the server's goodbye and the socket's end arrive while no query of ours is running.
          await new Promise((resolve) => setTimeout(resolve, 300));
          await connection.query('SELECT 1');
        }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(Error);
        // The ended connection was not handed out again: both connections of the pool work.
        expect(await backendsUsed(db, 2)).toBe(2);
      } finally {
        await db.close();
      }
    },
  );

  it('keeps a withConnection session on one connection', async () => {
    const db = await createDatabase({ databaseUrl: url, poolSize: 4, logger });
    try {
      const pids = await db.sql.withConnection(async (connection) => {
        const first = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const second = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        return [first[0]!.pid, second[0]!.pid];
      });
      expect(pids[0]).toBe(pids[1]);
    } finally {
      await db.close();
    }
  });
});

describe.each(['postgres', 'pglite'] as const)('a migrated %s database', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
  });
  afterAll(async () => {
    await cleanup();
  });

  it('shares its tables between Prisma and raw SQL', async () => {
    await db.prisma.broadcaster.create({ data: { id: `b-${kind}`, login: 'shared', displayName: 'Shared' } });
    const rows = await db.sql.query<{ login: string }>('SELECT login FROM broadcasters WHERE id = $1', [
      `b-${kind}`,
    ]);
    expect(rows).toEqual([{ login: 'shared' }]);
  });

  it('returns int8 and numeric values as strings on both backends', async () => {
    const [row] = await db.sql.query<{ big: unknown; exact: unknown; small: unknown }>(
      'SELECT 9007199254740993::bigint AS big, 1.50::numeric AS exact, count(*)::int AS small FROM (VALUES (1)) v(x)',
    );
    expect(row).toEqual({ big: '9007199254740993', exact: '1.50', small: 1 });
  });

  it('rolls back a raw SQL transaction that throws, and a failed nested one alone', async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query("INSERT INTO games (id, name) VALUES ('rolled-back', 'x')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');

    await db.sql.transaction(async (tx) => {
      await tx.query("INSERT INTO games (id, name) VALUES ('outer', 'kept')");
      await expect(
        tx.transaction(async (inner) => {
          await inner.query("INSERT INTO games (id, name) VALUES ('inner', 'dropped')");
          throw new Error('inner boom');
        }),
      ).rejects.toThrow('inner boom');
    });
    const ids = await db.sql.query<{ id: string }>(
      "SELECT id FROM games WHERE id IN ('rolled-back', 'outer', 'inner') ORDER BY id",
    );
    expect(ids).toEqual([{ id: 'outer' }]);
  });

  it('keeps concurrent Prisma and raw SQL transactions from interleaving', async () => {
    await db.prisma.syncState.create({ data: { key: `counter-${kind}`, value: { n: 0 } } });
    // Read-modify-write under SELECT ... FOR UPDATE: correct on PostgreSQL by row locks, on PGlite because
    // its single connection runs one transaction at a time. Either way no increment may be lost.
    const increments = Array.from({ length: 6 }, (_, i) =>
      i % 2 === 0
        ? db.prisma.$transaction(async (tx) => {
            const [row] = await tx.$queryRaw<{ value: { n: number } }[]>`
              SELECT value FROM sync_state WHERE key = ${`counter-${kind}`} FOR UPDATE`;
            await tx.syncState.update({
              where: { key: `counter-${kind}` },
              data: { value: { n: row!.value.n + 1 } },
            });
          })
        : db.sql.transaction(async (tx) => {
            const [row] = await tx.query<{ value: { n: number } }>(
              'SELECT value FROM sync_state WHERE key = $1 FOR UPDATE',
              [`counter-${kind}`],
            );
            await tx.query('UPDATE sync_state SET value = $2 WHERE key = $1', [
              `counter-${kind}`,
              JSON.stringify({ n: row!.value.n + 1 }),
            ]);
          }),
    );
    await Promise.all(increments);
    const final = await db.prisma.syncState.findUniqueOrThrow({ where: { key: `counter-${kind}` } });
    expect(final.value).toEqual({ n: 6 });
  });
});

describe('createDatabase without a URL (embedded PGlite)', () => {
  let root: string;
  let dir: string;

  // Creating a data directory runs initdb (seconds of CPU); reopening one takes a fraction of a second. So
  // the directory is created once, through the real path, and every test reopens it.
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tcs-pglite-'));
    dir = path.join(root, 'nested', 'data');
    const db = await createDatabase({ dataDir: dir, logger });
    expect(db.kind).toBe('pglite');
    await applyMigrations({ sql: db.sql, logger });
    await db.close();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps data in dataDir across a close and reopen', async () => {
    const first = await createDatabase({ dataDir: dir, logger });
    await first.prisma.guild.create({ data: { id: '123456789012345678', name: 'Persisted' } });
    await first.close();

    const second = await createDatabase({ dataDir: dir, logger });
    try {
      expect(await second.prisma.guild.findUnique({ where: { id: '123456789012345678' } })).toMatchObject({
        name: 'Persisted',
      });
      expect(await applyMigrations({ sql: second.sql, logger })).toEqual({ applied: [] });
      await expect(second.ping()).resolves.toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it("runs with 16 MB of shared buffers, not PostgreSQL's 128 MB that would all be resident", async () => {
    const db = await createDatabase({ dataDir: dir, logger });
    try {
      expect(await db.sql.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      // PGlite's own start parameters are kept (single-user mode settings, search_path).
      expect(await db.sql.query('SHOW max_worker_processes')).toEqual([{ max_worker_processes: '0' }]);
    } finally {
      await db.close();
    }
  });

  it('refuses a second open of the same dataDir with a clear error, and releases it on close', async () => {
    const first = await createDatabase({ dataDir: dir, logger });
    try {
      const error = await createDatabase({ dataDir: dir, logger }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('db.dataDirInUse');
      expect((error as AppError).message).toContain(dir);
      await expect(first.ping()).resolves.toBeUndefined();
    } finally {
      await first.close();
    }
    await expect(readFile(path.join(dir, 'twitch-clip-search.lock'))).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock left behind by a process that no longer exists', async () => {
    // A pid far above Linux's pid_max cannot be running.
    await writeFile(path.join(dir, 'twitch-clip-search.lock'), '2147483646');
    const db = await createDatabase({ dataDir: dir, logger });
    try {
      const lock = JSON.parse(await readFile(path.join(dir, 'twitch-clip-search.lock'), 'utf8')) as unknown;
      expect(lock).toEqual(identityOf(process.pid));
    } finally {
      await db.close();
    }
  });

  // In a container node is PID 1: after a crash the restarted bot finds a lock with its own pid in it.
  it.each([
    ['an older version (bare pid)', () => String(process.pid)],
    [
      'a previous incarnation of this pid',
      () => JSON.stringify({ ...identityOf(process.pid), startTime: '1' }),
    ],
  ])('takes over a stale lock with our own pid written by %s', async (_, content) => {
    await writeFile(path.join(dir, 'twitch-clip-search.lock'), content());
    const db = await createDatabase({ dataDir: dir, logger });
    await db.close();
  });

  it('refuses a lock held by another running process, but not one whose pid was reused', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => other.once('spawn', resolve));
      const owner = identityOf(other.pid!);
      await writeFile(path.join(dir, 'twitch-clip-search.lock'), JSON.stringify(owner));
      const error = await createDatabase({ dataDir: dir, logger }).catch((e: unknown) => e);
      expect((error as AppError).code).toBe('db.dataDirInUse');
      expect((error as AppError).message).toContain(String(other.pid));

      // Same pid, other start time: the process that wrote the lock is gone and the pid was given out again.
      await writeFile(
        path.join(dir, 'twitch-clip-search.lock'),
        JSON.stringify({ ...owner, startTime: '1' }),
      );
      const db = await createDatabase({ dataDir: dir, logger });
      await db.close();
    } finally {
      other.kill();
      await rm(path.join(dir, 'twitch-clip-search.lock'), { force: true });
    }
  });
});
