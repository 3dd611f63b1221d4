// npm run bench:interactions [-- --clips N] [--requests N] [--concurrency N] [--seconds N] [--keep] [--reuse DATABASE]
//
// `/clips search` and a page turn through the fake Discord gateway and the real bot process (real
// discord.js, real search service) on a PostgreSQL database of synthetic clips (1,000,000 by default):
// interaction-to-answer latency p50/p95 (sequential), sustained interactions per second on one bot
// process (closed loop with --concurrency in flight for --seconds), and the bot's RSS. Prints one table.
// Each interaction comes from its own fake member so per-member cooldowns do not throttle the run. Not
// part of `npm test`.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { pino } from 'pino';
import { upsertBroadcasters, upsertClips, upsertGames } from '../src/clips/clipStore.js';
import { createDatabase } from '../src/db/createDatabase.js';
import { applyMigrations } from '../src/db/migrate.js';
import { botEnvForFakes } from '../test/fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../test/fakes/discord/index.js';
import { startFakeTwitch } from '../test/fakes/twitch/index.js';
import { startBotProcess } from '../test/support/botProcess.js';
import { freePort } from '../test/support/redisServer.js';
import { summarise } from './lib/latency.js';
import { withAdminClient } from './lib/withAdminClient.js';
import { syntheticCorpus } from './lib/syntheticClips.js';

const { values: args } = parseArgs({
  options: {
    clips: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '15' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const CLIPS = Number(args.clips);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const SECONDS = Number(args.seconds);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const logger = pino({ level: 'silent' });
const progress = (message: string) => process.stderr.write(`[bench:interactions] ${message}\n`);

type Json = Record<string, unknown>;

function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withAdminClient(ADMIN_URL, work);
}

async function prepareDatabase(): Promise<{ url: string; name: string; words: string[] }> {
  const name = args.reuse ?? `tcs_bench_ix_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const corpus = syntheticCorpus({ seed: 42, broadcasters: 5_000, games: 1_000, clippers: 200_000 });
  if (args.reuse === undefined) {
    await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
    const db = await createDatabase({ databaseUrl: url.toString(), poolSize: 2, logger });
    try {
      await applyMigrations({ sql: db.sql, logger });
      await upsertBroadcasters(db.sql, corpus.broadcasters);
      await upsertGames(db.sql, corpus.games);
      const now = new Date();
      let next = 0;
      await Promise.all(
        [0, 1].map(async () => {
          while (next < CLIPS) {
            const from = next;
            next += 5_000;
            const batch = Array.from({ length: Math.min(5_000, CLIPS - from) }, (_, i) =>
              corpus.clip(from + i),
            );
            await upsertClips(db.sql, batch, now);
            if (from % 100_000 === 0) progress(`ingested ${from}/${CLIPS}`);
          }
        }),
      );
      await db.sql.exec('VACUUM ANALYZE');
    } finally {
      await db.close();
    }
  }
  // Mid-frequency English words: real searches, each matching a page or more.
  const words = (corpus.vocabulary.en ?? []).slice(20, 420);
  return { url: url.toString(), name, words };
}

function componentsOf(message: Json): Array<{ custom_id?: string }> {
  return ((message.components ?? []) as Array<{ components: Array<{ custom_id?: string }> }>).flatMap(
    (row) => row.components,
  );
}

async function searchOnce(discord: FakeDiscord, word: string) {
  const user = discord.addUser({ username: `bench-${randomBytes(4).toString('hex')}` });
  const started = performance.now();
  const message = await discord.interact
    .slashCommand({ name: 'clips', subcommand: 'search', options: { text: word }, user })
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

async function main(): Promise<void> {
  const database = await prepareDatabase();
  progress(`database ${database.name} ready (${CLIPS} clips)`);
  const discord = await startFakeDiscord({
    waitTimeoutMs: 30_000,
    // The bench measures the bot, not the fake's per-route limits.
    rateLimits: {
      global: { limit: 100_000, windowMs: 1_000 },
      default: { limit: 100_000, windowMs: 1_000 },
      webhooks: { limit: 100_000, windowMs: 1_000 },
    },
  });
  const twitch = await startFakeTwitch();
  const adminPort = await freePort();
  const env = botEnvForFakes(discord, twitch, {
    DATABASE_URL: database.url,
    ADMIN_PORT: String(adminPort),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  const deploy = startBotProcess({ env, script: 'deploy-commands.ts' });
  if ((await deploy.exited()).code !== 0) throw new Error(`deploy-commands failed: ${deploy.stderr()}`);
  const bot = startBotProcess({ env });
  try {
    await discord.waitForGatewaySession(60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Warm-up: JIT, connection pool, plans.
    for (const word of database.words.slice(0, 20)) await searchOnce(discord, word);

    const searchMs: number[] = [];
    const pageMs: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const search = await searchOnce(discord, database.words[(20 + i) % database.words.length]!);
      searchMs.push(search.ms);
      const turned = await pageTurn(discord, search);
      if (turned !== undefined) pageMs.push(turned);
    }

    let completed = 0;
    let failed = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          try {
            await searchOnce(discord, database.words[i++ % database.words.length]!);
            completed += 1;
          } catch {
            failed += 1;
          }
        }
      }),
    );
    const perSecond = completed / ((performance.now() - started) / 1000);
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN) / 1024 / 1024;

    const s = summarise(searchMs);
    const p = summarise(pageMs);
    const fmt = (n: number) => n.toFixed(1);
    console.log(
      `\n/clips search and page turns through the fake gateway, real bot, PostgreSQL, ${CLIPS} clips`,
    );
    console.log('| measure | n | p50 ms | p95 ms | target |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| /clips search (sequential) | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | p95 ≤ 100 ms |`);
    console.log(`| page turn ▶ (sequential) | ${p.n} | ${fmt(p.p50)} | ${fmt(p.p95)} | p95 ≤ 100 ms |`);
    console.log(
      `| sustained /clips search, ${CONCURRENCY} in flight, ${SECONDS} s | ${completed} ok, ${failed} failed | ${fmt(perSecond)} /s | | ≥ 200 /s |`,
    );
    console.log(`| bot RSS after the run | | ${fmt(rss)} MB | | ≤ 300 MB |`);
  } catch (error) {
    // What the bot said last explains a missing answer better than the fake's timeout.
    const said = bot.logs.filter((line) => line.level !== 'stdout').slice(-10);
    console.error(said.map((line) => JSON.stringify(line)).join('\n'), bot.stderr().slice(-2_000));
    throw error;
  } finally {
    await bot.stop('SIGTERM');
    await discord.close();
    await twitch.close();
    if (args.keep || args.reuse !== undefined) progress(`kept database ${database.name}`);
    else await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`));
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
