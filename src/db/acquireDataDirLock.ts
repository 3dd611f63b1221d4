import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../shared/errors.js';

const LOCK_FILE = 'twitch-clip-search.lock';

/**
 * Who holds the lock. A pid alone is not enough: in a container node runs as PID 1, so after a crash the
 * restarted bot has the pid written by its dead predecessor. The kernel's boot id and the process's start
 * time (in clock ticks since boot, /proc/<pid>/stat) name one process incarnation: a pid that was reused
 * has a different start time, and after a reboot every old lock is stale.
 */
export interface ProcessIdentity {
  pid: number;
  /** null where /proc is not available (macOS, Windows): only the pid can be compared there. */
  startTime: string | null;
  bootId: string | null;
}

/** Data directories locked by this process (a second open here must fail even though the pid matches). */
const heldByThisProcess = new Set<string>();

/**
 * PGlite keeps the whole database in one process; a second process opening the same directory would
 * corrupt it. The lock file turns that mistake into a clear error. A lock whose process is gone (crash,
 * kill -9, container restart with the same pid) is taken over.
 *
 * Node has no flock() without a native module, so the lock is a file naming the holder's
 * {@link ProcessIdentity}; see docs/operations.md for what it cannot detect (a second container with its own
 * pid namespace on the same volume).
 */
export async function acquireDataDirLock(options: {
  dataDir: string;
}): Promise<{ release(): Promise<void> }> {
  await mkdir(options.dataDir, { recursive: true });
  const lockPath = path.resolve(options.dataDir, LOCK_FILE);
  if (heldByThisProcess.has(lockPath)) {
    throw new AppError(
      'db.dataDirInUse',
      `The embedded database in ${options.dataDir} is already open in this process; close it before reopening.`,
    );
  }
  const self = identityOf(process.pid);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(self));
      } finally {
        await handle.close();
      }
      heldByThisProcess.add(lockPath);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          heldByThisProcess.delete(lockPath);
          await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = parseLockFile(await readFile(lockPath, 'utf8').catch(() => ''));
      if (owner !== null && isHeldBy(owner, self)) {
        throw new AppError(
          'db.dataDirInUse',
          `The embedded database in ${options.dataDir} is already open in process ${owner.pid}. PGlite supports ` +
            'one process at a time: stop that process, or set DATABASE_URL to use PostgreSQL for several processes.',
        );
      }
      // Stale: its process is gone, or the pid now belongs to another process (this one included).
      await rm(lockPath, { force: true });
    }
  }
  throw new AppError('db.dataDirInUse', `Could not lock the embedded database in ${options.dataDir}.`);
}

/** Reads the identity of a running process from /proc; start time and boot id are null without /proc. */
export function identityOf(pid: number): ProcessIdentity {
  return { pid, startTime: readStartTime(pid), bootId: readBootId() };
}

/** The lock's holder is still running: a live process with that pid, and the same incarnation of it. */
function isHeldBy(owner: ProcessIdentity, self: ProcessIdentity): boolean {
  // This process's own locks were checked above: a lock naming our pid was written by an earlier process
  // that had the same pid (PID 1 in a container restarted after a crash).
  if (owner.pid === self.pid) return false;
  if (!isProcessAlive(owner.pid)) return false;
  if (owner.bootId !== null && self.bootId !== null && owner.bootId !== self.bootId) return false;
  if (owner.startTime === null) return true;
  const current = readStartTime(owner.pid);
  return current === null || current === owner.startTime;
}

/** The lock file: JSON written by this version, or a bare pid written by older versions. */
function parseLockFile(text: string): ProcessIdentity | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), startTime: null, bootId: null };
  try {
    const value = JSON.parse(trimmed) as Partial<ProcessIdentity>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
    return {
      pid: value.pid,
      startTime: typeof value.startTime === 'string' ? value.startTime : null,
      bootId: typeof value.bootId === 'string' ? value.bootId : null,
    };
  } catch {
    return null;
  }
}

function readStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
    // starttime is field 22 overall, the 20th after comm.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
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
