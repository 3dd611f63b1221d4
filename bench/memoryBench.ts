// npm run bench:memory [-- --clips N] [--searches N] [--idle-seconds N] [--runners compiled,tsx]
//                         [--backends postgres,pglite] [--runs N] [--node-flags="--flag …"]
//                         [--bot-env "NAME=value …"] [--guilds N]
//
// The bot's resident memory (RSS, as its own /metrics reports it: process_resident_memory_bytes) on each
// backend, idle and after a load, for the compiled build (`npm start`, the Docker image) and, for
// comparison, the sources run through tsx (what `npm start` ran before). Each bot runs against the fake
// Discord and Twitch with a database of --clips synthetic clips (memory cache):
//   idle:       connected to the gateway, --idle-seconds after start-up, nothing asked yet;
//   after load: --searches /clips search (queries from the titles, 8 in flight) with a page turn after a
//               quarter of them, and /help;
//   guilds:     with --guilds N, after N more guilds joined (GUILD_CREATE through the gateway, 20 channels
//               each) and --idle-seconds passed, before the load: what a guild costs a process;
//   peak:       the highest RSS of the process's life (VmHWM).
// --runs N starts each bot N times on the same database and prints the median with the range. The
// compiled bot runs the exact `npm run start:prod` command (its node flags included); --node-flags adds
// more, to compare, and --bot-env sets environment variables of the bot (e.g. MALLOC_ARENA_MAX=2, which the
// Docker image sets). Prints one table with the load average. Not part of `npm test`.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createDatabase } from '../src/db/createDatabase.js';
import { applyMigrations } from '../src/db/migrate.js';
import {
  buildBot,
  peakRssMb,
  reportedRssMb,
  startBotUnderTest,
  type BotRunner,
  type BotUnderTest,
} from './lib/botUnderTest.js';
import { ingestSyntheticClips } from './lib/ingestSyntheticClips.js';
import { searchWorkload, type SearchWorkload } from './lib/searchWorkload.js';
import { syntheticCorpus, type SyntheticCorpus } from './lib/syntheticClips.js';
import { withAdminClient } from './lib/withAdminClient.js';

const { values: args } = parseArgs({
  options: {
    clips: { type: 'string', default: '20000' },
    searches: { type: 'string', default: '300' },
    'idle-seconds': { type: 'string', default: '10' },
    runners: { type: 'string', default: 'compiled,tsx' },
    backends: { type: 'string', default: 'postgres,pglite' },
    runs: { type: 'string', default: '1' },
    // Extra flags for the bot's node, to compare (e.g. V8's WebAssembly tiers).
    'node-flags': { type: 'string', default: '' },
    'bot-env': { type: 'string', default: '' },
    guilds: { type: 'string', default: '0' },
  },
  // `npm run bench` passes its arguments to every bench; ignore the ones meant for the others.
  strict: false,
});
const CLIPS = Number(args.clips);
const SEARCHES = Number(args.searches);
const IDLE_MS = Number(args['idle-seconds']) * 1000;
const RUNNERS = String(args.runners).split(',') as BotRunner[];
const BACKENDS = String(args.backends).split(',') as Array<'postgres' | 'pglite'>;
const RUNS = Number(args.runs);
const GUILDS = Number(args.guilds);
const NODE_FLAGS = String(args['node-flags']).split(' ').filter(Boolean);
const BOT_ENV = Object.fromEntries(
  String(args['bot-env'])
    .split(' ')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TARGET_IDLE_MB = { postgres: 200, pglite: 300 };
const logger = pino({ level: 'silent' });
const progress = (message: string) => process.stderr.write(`[bench:memory] ${message}\n`);

interface PreparedBackend {
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function prepare(backend: 'postgres' | 'pglite', corpus: SyntheticCorpus): Promise<PreparedBackend> {
  if (backend === 'postgres') {
    const name = `tcs_bench_mem_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    await withAdminClient(ADMIN_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
    const drop = () =>
      withAdminClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    try {
      await seed({ databaseUrl: url.toString() }, corpus);
    } catch (error) {
      await drop();
      throw error;
    }
    return { env: { DATABASE_URL: url.toString() }, drop: async () => void (await drop()) };
  }
  const root = await mkdtemp(path.join(tmpdir(), 'tcs-bench-mem-'));
  const dataDir = path.join(root, 'data');
  const drop = () => rm(root, { recursive: true, force: true });
  try {
    await seed({ dataDir }, corpus);
  } catch (error) {
    await drop();
    throw error;
  }
  return { env: { DATA_DIR: dataDir }, drop };
}

async function seed(where: { databaseUrl?: string; dataDir?: string }, corpus: SyntheticCorpus) {
  const db = await createDatabase({ ...where, logger });
  try {
    await applyMigrations({ sql: db.sql, logger });
    await ingestSyntheticClips(db, corpus, CLIPS, progress);
  } finally {
    await db.close();
  }
}

/** Runs the load; returns how long it took (ms). */
async function load(underTest: BotUnderTest, workload: SearchWorkload): Promise<number> {
  const started = performance.now();
  const { discord } = underTest;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < SEARCHES) {
        const user = discord.addUser({ username: `bench-${randomBytes(4).toString('hex')}` });
        const message = await discord.interact
          .slashCommand({ name: 'clips', subcommand: 'search', options: { text: workload.next() }, user })
          .finalMessage(30_000);
        const page = ((message.components ?? []) as Array<{ components: Array<{ custom_id?: string }> }>)
          .flatMap((row) => row.components)
          .filter((component) => component.custom_id?.includes(':page:'))[1]?.custom_id;
        if (page && next % 4 === 0)
          await discord.interact.component({ customId: page, message, user }).finalMessage(30_000);
      }
    }),
  );
  for (let i = 0; i < 5; i++) await discord.interact.slashCommand({ name: 'help' }).finalMessage(30_000);
  return performance.now() - started;
}

interface Run {
  idle: number;
  /** RSS after --guilds more guilds joined (NaN without --guilds). */
  withGuilds: number;
  loaded: number;
  peak: number;
  loadMs: number;
}

interface Row {
  backend: string;
  runner: BotRunner;
  runs: Run[];
}

async function measureOnce(
  runner: BotRunner,
  prepared: PreparedBackend,
  corpus: SyntheticCorpus,
): Promise<Run> {
  const underTest = await startBotUnderTest({
    runner,
    env: { ...BOT_ENV, ...prepared.env },
    nodeFlags: NODE_FLAGS,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idle = await reportedRssMb(underTest);
    let withGuilds = Number.NaN;
    if (GUILDS > 0) {
      // A small real guild: 20 text channels (real ones also carry roles, emojis and voice states: a floor).
      const channels = Array.from({ length: 20 }, (_, c) => ({ name: `channel-${c}` }));
      for (let i = 0; i < GUILDS; i++) underTest.discord.addGuild({ name: `bench guild ${i}`, channels });
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      withGuilds = await reportedRssMb(underTest);
    }
    const workload = searchWorkload(corpus, { clips: CLIPS, distinct: 2_000, seed: 11 });
    const loadMs = await load(underTest, workload);
    const loaded = await reportedRssMb(underTest);
    return { idle, withGuilds, loaded, peak: peakRssMb(underTest.pid), loadMs };
  } finally {
    await underTest.stop();
  }
}

const fmt = (n: number) => n.toFixed(1);

/** `median (min–max)` of one field over the runs, or the value alone for one run. */
function summary(runs: Run[], field: keyof Run, scale = 1): string {
  const values = runs.map((run) => run[field] / scale).sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)]!;
  return values.length === 1 ? fmt(median) : `${fmt(median)} (${fmt(values[0]!)}–${fmt(values.at(-1)!)})`;
}

async function main(): Promise<void> {
  const corpus = syntheticCorpus({ seed: 42, broadcasters: 5_000, games: 1_000, clippers: 200_000 });
  if (RUNNERS.includes('compiled')) {
    progress('npm run build');
    buildBot();
  }
  const rows: Row[] = [];
  const loadBefore = loadavg()[0]!;
  for (const backend of BACKENDS) {
    progress(`${backend}: seeding ${CLIPS} clips`);
    const prepared = await prepare(backend, corpus);
    try {
      for (const runner of RUNNERS) {
        const runs: Run[] = [];
        for (let run = 1; run <= RUNS; run++) {
          progress(`${backend}, ${runner}: starting the bot (run ${run} of ${RUNS})`);
          runs.push(await measureOnce(runner, prepared, corpus));
        }
        rows.push({ backend, runner, runs });
      }
    } finally {
      await prepared.drop();
    }
  }
  console.log(
    `\nBot RSS (MB, from its /metrics), ${CLIPS} clips, ${SEARCHES} searches in the load` +
      (RUNS > 1 ? `, median (range) of ${RUNS} runs` : '') +
      (NODE_FLAGS.length > 0 ? `, node ${NODE_FLAGS.join(' ')}` : '') +
      (args['bot-env'] ? `, env ${String(args['bot-env'])}` : ''),
  );
  const guildsColumn = GUILDS > 0 ? ` with ${GUILDS} more guilds |` : '';
  console.log(`| backend | runner | idle |${guildsColumn} after load | peak | load took | target idle |`);
  console.log(`| --- | --- | --- |${GUILDS > 0 ? ' --- |' : ''} --- | --- | --- | --- |`);
  for (const row of rows) {
    const target = TARGET_IDLE_MB[row.backend as keyof typeof TARGET_IDLE_MB];
    console.log(
      `| ${row.backend} | ${row.runner} | ${summary(row.runs, 'idle')} |${GUILDS > 0 ? ` ${summary(row.runs, 'withGuilds')} |` : ''} ${summary(row.runs, 'loaded')} | ${summary(row.runs, 'peak')} | ${summary(row.runs, 'loadMs', 1000)} s | < ${target}${row.runner === 'compiled' ? '' : ' (npm start runs compiled)'} |`,
    );
  }
  console.log(`\nLoad average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)}.`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
