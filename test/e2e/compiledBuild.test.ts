// The production image and `npm start` run `npm run build` and then `npm run start:prod` (node
// dist/src/main.js, no tsx, no generate at start; test/packaging/dockerfile.test.ts holds the Dockerfile to
// those two scripts). This test
// runs the same two against the fakes: the compiled bot must find its generated Prisma client, PGlite's WASM
// files and the migrations from dist/, answer /healthz and a slash command, and stop cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { seedDemoData, startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { PROJECT_ROOT, startBotProcess, startProdCommand, type BotProcess } from '../support/botProcess.js';
import { eventually } from '../support/eventually.js';

const scripts = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

async function npmRunBuild(): Promise<void> {
  const child = spawn('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run build exited ${code}:\n${output.slice(-3_000)}`);
}

describe('the compiled build (what the Docker image runs)', () => {
  let discord: FakeDiscord;
  let twitch: FakeTwitch;
  let bot: BotProcess;
  let adminUrl: string;
  // A scratch working directory: no developer .env, and the embedded database lives in it.
  const cwd = mkdtempSync(path.join(tmpdir(), 'tcs-compiled-'));

  beforeAll(async () => {
    await npmRunBuild();
    discord = await startFakeDiscord();
    twitch = await startFakeTwitch();
    seedDemoData(twitch);
    bot = startBotProcess({
      cwd,
      // Exactly `npm run start:prod`, its node flags included (startProdCommand refuses anything but node).
      command: startProdCommand(),
      env: botEnvForFakes(discord, twitch, {
        DATA_DIR: path.join(cwd, 'data'),
        ADMIN_PORT: '0',
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
      }),
    });
    const listening = await bot.waitForLog((line) => line.msg === 'admin server listening', 90_000);
    adminUrl = String(listening.url);
  }, 240_000);

  afterAll(async () => {
    if (bot) await bot.stop('SIGKILL');
    await discord?.close();
    await twitch?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('is what `npm start` runs (README: `npm ci && npm start`): the build, then start:prod', () => {
    expect(scripts.start).toBe('npm run build && npm run start:prod');
  });

  it('applies the migrations from dist/ and becomes ready on the embedded database', async () => {
    const migrated = bot.logs.find((line) => line.msg === 'database ready');
    expect(migrated).toMatchObject({ backend: 'pglite' });
    expect(Number(migrated!.migrationsApplied)).toBeGreaterThan(0);
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    await eventually(
      async () => ((await fetch(`${adminUrl}/readyz`)).status === 200 ? true : undefined),
      30_000,
      '/readyz to answer 200',
    );
  });

  it('answers a slash command', async () => {
    const message = await discord.interact.slashCommand({ name: 'help' }).finalMessage();
    expect((message.embeds as Array<{ title: string }>)[0]!.title).toBe('TwitchClipSearch');
  });

  it('stops gracefully on SIGTERM', async () => {
    const { code, ms } = await bot.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
  });
});
