import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { requestsDir } from './backupRequestFiles.js';
import { requestBackupFromBot } from './requestBackupFromBot.js';
import { serveBackupRequests, type BackupRequestServer } from './serveBackupRequests.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'tcs-serve-backups-'));
const logger = pino({ level: 'silent' });
let server: BackupRequestServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(dataDir: string, dump: () => Promise<Blob>, registry = new Registry()) {
  server = await serveBackupRequests({ db: { dumpDataDir: dump }, dataDir, logger, registry });
  return registry;
}

describe('serving backup requests for the embedded database', () => {
  it('writes the requested backup and answers the waiting command', async () => {
    const dataDir = path.join(scratch, 'ok');
    const registry = await start(dataDir, async () => new Blob(['tarball bytes']));
    const output = path.join(scratch, 'out', 'ok.tar.gz');
    await expect(requestBackupFromBot({ dataDir, output })).resolves.toEqual({ bytes: 13 });
    expect(await readFile(output, 'utf8')).toBe('tarball bytes');
    expect(await readdir(requestsDir(dataDir))).toEqual([]);
    expect(await registry.getSingleMetricAsString('tcs_db_backups_total')).toMatch(/outcome="ok"} 1/);
  });

  it('reports a failed dump to the command and leaves no partial file', async () => {
    const dataDir = path.join(scratch, 'failing');
    await start(dataDir, async () => {
      throw new Error('disk on fire');
    });
    const output = path.join(scratch, 'out', 'failing.tar.gz');
    await expect(requestBackupFromBot({ dataDir, output })).rejects.toThrow(
      /could not write the backup: disk on fire/,
    );
    expect(
      (await readdir(path.dirname(output)).catch(() => [])).filter((name) => name.includes('.partial')),
    ).toEqual([]);
  });

  it('never overwrites an existing file', async () => {
    const dataDir = path.join(scratch, 'existing');
    await start(dataDir, async () => new Blob(['new']));
    const output = path.join(scratch, 'existing.tar.gz');
    await writeFile(output, 'an older backup');
    await expect(requestBackupFromBot({ dataDir, output })).rejects.toThrow(/already exists/);
    expect(await readFile(output, 'utf8')).toBe('an older backup');
    expect((await readdir(scratch)).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('ignores requests left over from the past (a command that gave up, or a restored copy)', async () => {
    const dataDir = path.join(scratch, 'stale');
    const dir = requestsDir(dataDir);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const stale = path.join(dir, 'old.request.json');
    await writeFile(stale, JSON.stringify({ output: path.join(scratch, 'stale.tar.gz') }));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(stale, hourAgo, hourAgo);
    let dumps = 0;
    const registry = await start(dataDir, async () => {
      dumps += 1;
      return new Blob(['x']);
    });
    await expect
      .poll(async () => registry.getSingleMetricAsString('tcs_db_backups_total'))
      .toMatch(/outcome="stale"} 1/);
    expect(dumps).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });
});

process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
