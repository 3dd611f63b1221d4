// The real bot process against the fake Discord and Twitch, as the benches drive it: compiled (what
// `npm start` and the Docker image run) or through tsx, with its CPU time and memory read from /proc and
// its own /metrics.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { botEnvForFakes } from '../../test/fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../../test/fakes/discord/index.js';
import { startFakeTwitch, type FakeTwitch } from '../../test/fakes/twitch/index.js';
import {
  PROJECT_ROOT,
  startBotProcess,
  startProdCommand,
  type BotProcess,
} from '../../test/support/botProcess.js';
import { freePort } from '../../test/support/redisServer.js';

export type BotRunner = 'compiled' | 'tsx';

/**
 * `npm run build` (generate + tsc to dist/), once per bench run, so `compiled` runs today's sources.
 * BENCH_NO_BUILD=1 runs the dist/ already there (A/B runs of one build while the sources change).
 */
export function buildBot(): void {
  if (process.env.BENCH_NO_BUILD === '1') return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}

export interface BotUnderTest {
  discord: FakeDiscord;
  twitch: FakeTwitch;
  bot: BotProcess;
  pid: number;
  /** The bot's GET /metrics text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startBotUnderTest(options: {
  runner: BotRunner;
  /** DATABASE_URL or DATA_DIR, and anything else the bot should see. */
  env: Record<string, string>;
  /** Writes a V8 CPU profile of the bot into this directory when it exits. */
  cpuProfileDir?: string;
  /** More flags for the bot's node (e.g. V8 options to compare). */
  nodeFlags?: string[];
  logLevel?: string;
}): Promise<BotUnderTest> {
  const discord = await startFakeDiscord({
    waitTimeoutMs: 30_000,
    // The benches measure the bot, not the fake's per-route limits (interaction callbacks are exempt from
    // Discord's global limit anyway).
    rateLimits: {
      global: { limit: 100_000, windowMs: 1_000 },
      default: { limit: 100_000, windowMs: 1_000 },
      webhooks: { limit: 100_000, windowMs: 1_000 },
    },
  });
  const twitch = await startFakeTwitch();
  const adminPort = await freePort();
  const env = botEnvForFakes(discord, twitch, {
    ADMIN_PORT: String(adminPort),
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...options.env,
  });
  const compiled = (script: string) => [process.execPath, path.join(PROJECT_ROOT, 'dist', script)];
  const deploy =
    options.runner === 'compiled'
      ? startBotProcess({ env, command: compiled('deploy-commands.js') })
      : startBotProcess({ env, script: 'deploy-commands.ts' });
  if ((await deploy.exited()).code !== 0) throw new Error(`deploy-commands failed: ${deploy.stderr()}`);
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const nodeFlags = [...profile, ...(options.nodeFlags ?? [])];
  // Compiled: the exact `npm run start:prod` command, its node flags included, as the image runs it.
  const bot =
    options.runner === 'compiled'
      ? startBotProcess({ env, command: startProdCommand(nodeFlags) })
      : startBotProcess({ env, nodeFlags });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    // The gateway comes up after the admin server: once it is connected, the bot is started.
    await discord.waitForGatewaySession(180_000);
    await fetch(`${adminUrl}/healthz`);
  } catch (error) {
    await bot.stop('SIGKILL');
    await discord.close();
    await twitch.close();
    throw error;
  }
  return {
    discord,
    twitch,
    bot,
    pid: bot.child.pid!,
    metrics: async () => (await fetch(`${adminUrl}/metrics`)).text(),
    async stop() {
      await bot.stop('SIGTERM');
      await discord.close();
      await twitch.close();
    },
  };
}

/** The value of one series in Prometheus text (the sum of all series of `name` matching `labels`). */
export function metricValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => set.includes(`${key}="${value}"`)))
      sum += Number(match[3]);
  }
  return sum;
}

/** Resident memory as the bot itself reports it on /metrics (prom-client's process metrics), in MB. */
export async function reportedRssMb(bot: BotUnderTest): Promise<number> {
  return metricValue(await bot.metrics(), 'process_resident_memory_bytes') / 1024 / 1024;
}

/** Peak resident memory of a process since it started (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (from /proc; 0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
