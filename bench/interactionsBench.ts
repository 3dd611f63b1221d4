// npm run bench:interactions [-- --clips N] [--requests N] [--concurrency N] [--seconds N] [--distinct N]
//                               [--page-ratio R] [--tsx] [--bot-cpu-prof DIR] [--keep] [--reuse DATABASE]
//                               [--node-flags="--flag …"] [--bot-env "NAME=value …"]
//
// `/clips search` and ▶ page turns through the fake Discord gateway and the real bot process (real
// discord.js, real search service, memory cache) on a PostgreSQL database of synthetic clips (1,000,000 by
// default). The bot runs compiled, as `npm start` runs it: the `start:prod` command with its node flags
// (--tsx: the sources through tsx); --node-flags adds more, to compare; --bot-env sets environment variables
// of the bot (e.g. MALLOC_ARENA_MAX=2, as the Docker image does).
//
// Workload: queries members would type, drawn from the stored titles (bench/lib/searchWorkload.ts): a pool
// of --distinct queries asked with Zipf popularity, so popular ones repeat (and may hit the 30 s search
// cache) while most are asked rarely; a page turn follows --page-ratio of the searches. Each search comes
// from a new fake member so per-member cooldowns do not throttle the run.
//
// Prints: p50/p95 interaction-to-answer latency (sequential: search, then a page turn), sustained
// interactions per second with --concurrency in flight (answers with results only: a search refused as
// "busy" is answered privately and counted apart), the bot's RSS idle and after the load, the search
// cache hit ratio, and the CPU time per interaction of each process involved (bot, its PostgreSQL
// backends, and this process, which runs the fake Discord and the load), with the load average, because
// the machine may be shared. Not part of `npm test`.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { pino } from 'pino';
import { createDatabase } from '../src/db/createDatabase.js';
import { applyMigrations } from '../src/db/migrate.js';
import type { FakeDiscord } from '../test/fakes/discord/index.js';
import {
  buildBot,
  metricValue,
  peakRssMb,
  processCpuSeconds,
  reportedRssMb,
  startBotUnderTest,
} from './lib/botUnderTest.js';
import { ingestSyntheticClips } from './lib/ingestSyntheticClips.js';
import { summarise } from './lib/latency.js';
import { searchWorkload, type SearchWorkload } from './lib/searchWorkload.js';
import { syntheticCorpus } from './lib/syntheticClips.js';
import { withAdminClient } from './lib/withAdminClient.js';

const { values: args } = parseArgs({
  options: {
    clips: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '100' },
    // The bot runs 4 database searches at once and queues 16 (src/clips/search/searchAdmission.ts); more in
    // flight are refused with a private "busy" answer, counted apart below.
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '15' },
    distinct: { type: 'string', default: '5000' },
    'page-ratio': { type: 'string', default: '0.25' },
    tsx: { type: 'boolean', default: false },
    'bot-cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    'node-flags': { type: 'string', default: '' },
    'bot-env': { type: 'string', default: '' },
  },
});
const CLIPS = Number(args.clips);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const SECONDS = Number(args.seconds);
const PAGE_RATIO = Number(args['page-ratio']);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Tags the bot's connections, so the CPU of its PostgreSQL backends can be told from other sessions'. */
const APPLICATION_NAME = `tcs_bench_bot_${process.pid}`;
const logger = pino({ level: 'silent' });
const progress = (message: string) => process.stderr.write(`[bench:interactions] ${message}\n`);

type Json = Record<string, unknown>;

function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withAdminClient(ADMIN_URL, work);
}

async function prepareDatabase(): Promise<{ url: URL; name: string; workload: SearchWorkload }> {
  const name = args.reuse ?? `tcs_bench_ix_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const corpus = syntheticCorpus({ seed: 42, broadcasters: 5_000, games: 1_000, clippers: 200_000 });
  if (args.reuse === undefined) {
    await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
    const db = await createDatabase({ databaseUrl: url.toString(), poolSize: 2, logger });
    try {
      await applyMigrations({ sql: db.sql, logger });
      await ingestSyntheticClips(db, corpus, CLIPS, progress);
      await db.sql.exec('VACUUM ANALYZE');
    } finally {
      await db.close();
    }
  }
  const workload = searchWorkload(corpus, { clips: CLIPS, distinct: Number(args.distinct), seed: 7 });
  return { url, name, workload };
}

/** A private (ephemeral) answer is a refusal or an error, not a page of results. */
function isPrivate(message: Json): boolean {
  return (Number(message.flags ?? 0) & 64) !== 0;
}

function componentsOf(message: Json): Array<{ custom_id?: string }> {
  return ((message.components ?? []) as Array<{ components: Array<{ custom_id?: string }> }>).flatMap(
    (row) => row.components,
  );
}

async function searchOnce(discord: FakeDiscord, text: string) {
  const user = discord.addUser({ username: `bench-${randomBytes(4).toString('hex')}` });
  const started = performance.now();
  const message = await discord.interact
    .slashCommand({ name: 'clips', subcommand: 'search', options: { text }, user })
    .finalMessage(30_000);
  return { ms: performance.now() - started, message, user };
}

async function pageTurn(discord: FakeDiscord, search: Awaited<ReturnType<typeof searchOnce>>) {
  const next = componentsOf(search.message).filter((c) => c.custom_id?.includes(':page:'))[1];
  if (!next?.custom_id) return undefined;
  const started = performance.now();
  await discord.interact
    .component({ customId: next.custom_id, message: search.message, user: search.user })
    .finalMessage(30_000);
  return performance.now() - started;
}

/** CPU seconds so far of each PostgreSQL backend serving the bot, by pid. */
async function backendCpu(): Promise<Map<number, number>> {
  const { rows } = await withAdmin((client) =>
    client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      APPLICATION_NAME,
    ]),
  );
  return new Map(rows.map(({ pid }) => [pid, processCpuSeconds(pid)]));
}

function cpuOfThisProcess(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function main(): Promise<void> {
  const database = await prepareDatabase();
  progress(`database ${database.name} ready (${CLIPS} clips)`);
  try {
    await measure(database);
  } finally {
    if (args.keep || args.reuse !== undefined) progress(`kept database ${database.name}`);
    else await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`));
  }
}

async function measure(database: Awaited<ReturnType<typeof prepareDatabase>>): Promise<void> {
  if (!args.tsx) {
    progress('npm run build');
    buildBot();
  }
  database.url.searchParams.set('application_name', APPLICATION_NAME);
  const underTest = await startBotUnderTest({
    runner: args.tsx ? 'tsx' : 'compiled',
    env: {
      ...Object.fromEntries(
        args['bot-env']
          .split(' ')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      ),
      DATABASE_URL: database.url.toString(),
    },
    ...(args['bot-cpu-prof'] ? { cpuProfileDir: args['bot-cpu-prof'] } : {}),
    nodeFlags: args['node-flags'].split(' ').filter(Boolean),
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  const { discord, bot, pid } = underTest;
  const loadBefore = loadavg();
  try {
    // Idle: connected, nothing asked yet, after the start-up garbage is collected.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idleRss = await reportedRssMb(underTest);
    // Warm-up: JIT, connection pool, plans. A cold start on a busy machine may miss Discord's 3 s window
    // here: counted and reported, not fatal.
    const warmUpFailures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await searchOnce(discord, database.workload.next()).catch((error: unknown) => {
        warmUpFailures.push(
          `${String(error).split('\n')[0]} after ${Math.round(performance.now() - started)} ms`,
        );
      });
    }
    if (warmUpFailures.length > 0)
      progress(`warm-up: ${warmUpFailures.length} of 20 failed: ${warmUpFailures[0]}`);

    const searchMs: number[] = [];
    const pageMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const search = await searchOnce(discord, database.workload.next());
      if (isPrivate(search.message))
        throw new Error(`a sequential search was refused: ${String(search.message.content)}`);
      searchMs.push(search.ms);
      const turned = await pageTurn(discord, search);
      if (turned !== undefined) pageMs.push(turned);
    }

    const metricsBefore = await underTest.metrics();
    const cpuBefore = { bot: processCpuSeconds(pid), bench: cpuOfThisProcess(), pg: await backendCpu() };
    let searches = 0;
    let pages = 0;
    let refused = 0;
    const failures: string[] = [];
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          try {
            const search = await searchOnce(discord, database.workload.next());
            if (isPrivate(search.message)) {
              refused += 1;
              continue;
            }
            searches += 1;
            if (Math.random() < PAGE_RATIO && (await pageTurn(discord, search)) !== undefined) pages += 1;
          } catch (error) {
            failures.push(String(error));
          }
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const pgAfter = await backendCpu();
    const cpu = {
      bot: processCpuSeconds(pid) - cpuBefore.bot,
      bench: cpuOfThisProcess() - cpuBefore.bench,
      pg: [...pgAfter].reduce((sum, [backend, s]) => sum + s - (cpuBefore.pg.get(backend) ?? 0), 0),
    };
    const metricsAfter = await underTest.metrics();
    const loadedRss = await reportedRssMb(underTest);
    // Where the loaded RSS goes: V8's heap, memory outside it (buffers, WebAssembly memories count in RSS
    // but not here), and the memory cache's own count.
    const loadedMetrics = await underTest.metrics();
    const mb = (name: string) => metricValue(loadedMetrics, name) / 1024 / 1024;
    const heapAfter = {
      used: mb('nodejs_heap_size_used_bytes'),
      total: mb('nodejs_heap_size_total_bytes'),
      external: mb('nodejs_external_memory_bytes'),
      cache: mb('tcs_cache_memory_bytes'),
    };
    const peakRss = peakRssMb(pid);
    const searchesFrom = (source: string) =>
      metricValue(metricsAfter, 'tcs_search_requests_total', { source }) -
      metricValue(metricsBefore, 'tcs_search_requests_total', { source });
    const cacheHits = searchesFrom('cache');
    const databaseSearches = searchesFrom('database');

    const interactions = searches + pages;
    const handled = interactions + refused;
    const s = summarise(searchMs);
    const p = summarise(pageMs);
    const fmt = (n: number) => n.toFixed(1);
    const runner = args.tsx ? 'tsx' : 'compiled';
    console.log(
      `\n/clips search and page turns: fake gateway, real bot (${runner}), PostgreSQL, ${CLIPS} clips; ` +
        `${database.workload.distinct} distinct queries (Zipf), a page turn after ${PAGE_RATIO * 100}% of searches` +
        (args['node-flags'] ? `; node ${args['node-flags']}` : '') +
        (args['bot-env'] ? `; env ${args['bot-env']}` : ''),
    );
    console.log('| measure | n | p50 ms | p95 ms | target |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| /clips search (sequential) | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | p95 ≤ 100 ms |`);
    console.log(`| page turn ▶ (sequential) | ${p.n} | ${fmt(p.p50)} | ${fmt(p.p95)} | p95 ≤ 100 ms |`);
    console.log(
      `| sustained, ${CONCURRENCY} in flight, ${SECONDS} s: ${searches} searches + ${pages} page turns answered, ${refused} refused, ${failures.length} failed | ${interactions} | ${fmt(interactions / elapsed)} /s | | ≥ 200 /s |`,
    );
    console.log(`| bot RSS idle (after start-up) | | ${fmt(idleRss)} MB | | |`);
    console.log(`| bot RSS after the run (peak) | | ${fmt(loadedRss)} MB (${fmt(peakRss)}) | | ≤ 300 MB |`);
    console.log(
      `\nAfter the run: V8 heap ${fmt(heapAfter.used)} MB used of ${fmt(heapAfter.total)} MB, external ` +
        `${fmt(heapAfter.external)} MB, memory cache ${fmt(heapAfter.cache)} MB (MEMORY_CACHE_MAX_MB).`,
    );
    console.log(
      `Search cache during the sustained run: ${cacheHits} hits, ${databaseSearches} database searches ` +
        `(${fmt((100 * cacheHits) / Math.max(1, cacheHits + databaseSearches))}% hits).`,
    );
    console.log('| process (sustained run) | CPU s | CPU ms per interaction | interactions/s per core |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, seconds] of [
      ['bot (node)', cpu.bot],
      ['its PostgreSQL backends', cpu.pg],
      ['fake Discord + load generator (bench process)', cpu.bench],
    ] as const) {
      const perInteraction = (1000 * seconds) / Math.max(1, handled);
      console.log(
        `| ${name} | ${fmt(seconds)} | ${fmt(perInteraction)} | ${perInteraction > 0 ? Math.round(1000 / perInteraction) : '-'} |`,
      );
    }
    console.log(
      `\nLoad average (1 min) before ${loadBefore[0]!.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)}.`,
    );
    if (failures.length > 0) progress(`first failure: ${failures[0]}`);
  } catch (error) {
    // What the bot said last explains a missing answer better than the fake's timeout.
    const said = bot.logs.filter((line) => line.level !== 'stdout').slice(-10);
    console.error(said.map((line) => JSON.stringify(line)).join('\n'), bot.stderr().slice(-2_000));
    throw error;
  } finally {
    await underTest.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
