// npm run bench:notify — 10,000 notifications (10 new clips for each of 1,000 subscriptions, one Discord
// channel each) delivered through the fake Discord with its default limits (5 messages per 5 s per channel,
// 50 requests per second per bot). Prints total time against the lower bound those limits imply for the
// messages actually sent, discovery→post latency, lost and duplicate clips; then the same with one kill -9 of
// the notifier process in the middle; then a trickle (one clip every 50 ms, never rate-limited) for latency.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import type { ClipRecord } from '../src/clips/ClipRecord.js';
import { upsertBroadcasters, upsertClips } from '../src/clips/clipStore.js';
import type { Database } from '../src/db/Database.js';
import { createDatabase } from '../src/db/createDatabase.js';
import { applyMigrations } from '../src/db/migrate.js';
import { recordClipEvents } from '../src/sync/clipEvents.js';
import { startFakeDiscord, type FakeDiscord } from '../test/fakes/discord/index.js';
import { makeClip } from '../test/integration/notify/notifyFixture.js';
import { PROJECT_ROOT } from '../test/support/botProcess.js';
import { createTestPostgresDatabase, testLogger } from '../test/support/databases.js';
import { summarise } from './lib/latency.js';

const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 1_000);
const CLIPS_PER_CHANNEL = Number(process.env.BENCH_CLIPS_PER_CHANNEL ?? 10);
// The fake's default limits (test/fakes/discord/FakeDiscord.ts), which the bench does not change: Discord's
// documented global limit of 50 requests per second per bot, and the 5 messages per 5 s per channel that
// Discord's per-route headers report for POST /channels/{id}/messages. A message holds at most 10 embeds.
const GLOBAL_PER_SECOND = 50;
const PER_CHANNEL_LIMIT = 5;
const PER_CHANNEL_WINDOW_SEC = 5;
const MAX_EMBEDS_PER_MESSAGE = 10;

interface World {
  discord: FakeDiscord;
  db: Database;
  url: string;
  channels: string[];
  channelSet: Set<string>;
  broadcasters: string[];
  close(): Promise<void>;
}

async function setUp(): Promise<World> {
  const discord = await startFakeDiscord();
  const database = await createTestPostgresDatabase();
  const logger = testLogger();
  const db = await createDatabase({ databaseUrl: database.url, poolSize: 4, logger });
  await applyMigrations({ sql: db.sql, logger });
  const guildId = discord.fixtures.guild.id;
  await db.sql.query(`INSERT INTO guilds (id, name) VALUES ($1, 'Bench')`, [guildId]);
  const channels: string[] = [];
  const broadcasters: string[] = [];
  for (let i = 0; i < CHANNELS; i += 1) {
    channels.push(discord.addChannel(guildId, { name: `bench-${i}` }).id);
    broadcasters.push(String(5_000_000 + i));
  }
  await upsertBroadcasters(
    db.sql,
    broadcasters.map((id) => ({ id, login: `b${id}`, displayName: `B${id}` })),
  );
  await db.sql.query(
    `INSERT INTO subscriptions (id, guild_id, discord_channel_id, broadcaster_id, post_clips_since, created_by_user_id)
     SELECT gen_random_uuid(), $1, c, b, now() - interval '1 hour', '1'
       FROM unnest($2::text[], $3::text[]) AS t(c, b)`,
    [guildId, channels, broadcasters],
  );
  return {
    discord,
    db,
    url: database.url,
    channels,
    channelSet: new Set(channels),
    broadcasters,
    async close() {
      await db.close();
      await discord.close();
      await database.drop();
    },
  };
}

function clipFor(broadcasterId: string): ClipRecord {
  return makeClip({ broadcasterId, viewCount: 10, createdAt: new Date(Date.now() - 30_000) });
}

/** Stores clips and their events as the sync does, then wakes the notifier as the sync's event would. */
async function ingest(db: Database, clips: ClipRecord[], worker: ChildProcess): Promise<void> {
  for (let i = 0; i < clips.length; i += 1_000) {
    await db.sql.transaction(async (tx) => {
      await recordClipEvents(tx, await upsertClips(tx, clips.slice(i, i + 1_000), new Date()));
    });
    worker.stdin!.write('wake\n');
  }
}

async function startWorker(world: World): Promise<ChildProcess> {
  // BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the notifier process.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const worker = `${PROJECT_ROOT}/bench/notifyBenchWorker.ts`;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', worker], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: world.url,
      BENCH_DISCORD_API: world.discord.restUrl,
      BENCH_DISCORD_TOKEN: world.discord.token,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.on('error', () => undefined); // a killed worker's closed pipe
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return child;
}

async function stopWorker(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/**
 * The clip URLs of every message in the bench's channels and how many messages each channel got. One pass
 * over the fake's message store: asking per channel (`messagesIn`) walks every message for each of the
 * 1,000 channels, which, polled every 100 ms, took a core away from the notifier being measured.
 */
function posted(world: World): { clipUrls: string[]; messagesPerChannel: Map<string, number> } {
  const clipUrls: string[] = [];
  const messagesPerChannel = new Map<string, number>();
  for (const stored of world.discord.state.messages.values()) {
    if (stored.deleted || !world.channelSet.has(stored.channelId)) continue;
    messagesPerChannel.set(stored.channelId, (messagesPerChannel.get(stored.channelId) ?? 0) + 1);
    for (const embed of (stored.json.embeds ?? []) as Array<{ url?: string }>) clipUrls.push(embed.url ?? '');
  }
  return { clipUrls, messagesPerChannel };
}

const postedClipIds = (world: World): string[] => posted(world).clipUrls;

/**
 * The shortest time the fake's limits allow for posting these messages: all of them at the global
 * 50 requests/s, and the busiest channel's at 5 per 5 s (its first 5 at once, then 5 more every 5 s).
 * Requests other than the posts (none in a clean run) are not counted, so this is a lower bound.
 */
function lowerBoundSec(messages: number, busiestChannel: number): number {
  const perChannel = Math.max(0, Math.ceil(busiestChannel / PER_CHANNEL_LIMIT) - 1) * PER_CHANNEL_WINDOW_SEC;
  return Math.max(messages / GLOBAL_PER_SECOND, perChannel);
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function latencies(db: Database): Promise<number[]> {
  const rows = await db.sql.query<{ ms: number }>(
    `SELECT EXTRACT(EPOCH FROM (d.sent_at - c.first_seen_at)) * 1000 AS ms
       FROM deliveries d JOIN clips c ON c.id = d.clip_id WHERE d.status = 'sent'`,
  );
  return rows.map((row) => Number(row.ms));
}

async function burst(label: string, killMidway: boolean): Promise<void> {
  const world = await setUp();
  try {
    let worker = await startWorker(world);
    const clips = world.broadcasters.flatMap((b) =>
      Array.from({ length: CLIPS_PER_CHANNEL }, () => clipFor(b)),
    );
    const started = Date.now();
    await ingest(world.db, clips, worker);
    let killedAt: number | null = null;
    if (killMidway) {
      await waitUntil(() => postedClipIds(world).length >= clips.length / 2, 600_000);
      await stopWorker(worker, 'SIGKILL');
      killedAt = (Date.now() - started) / 1000;
      worker = await startWorker(world);
    }
    const done = await waitUntil(() => postedClipIds(world).length >= clips.length, 900_000);
    const totalSec = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await stopWorker(worker, 'SIGTERM');
    const { clipUrls, messagesPerChannel } = posted(world);
    const counts = new Map<string, number>();
    for (const url of clipUrls) counts.set(url, (counts.get(url) ?? 0) + 1);
    const lost = clips.filter((clip) => !counts.has(clip.url)).length;
    const duplicates = [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const messages = world.discord.findRequests(
      (request) =>
        request.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(request.path) &&
        request.status === 200,
    ).length;
    const posts = world.discord.findRequests(
      (request) => request.method === 'POST' && /^\/channels\/\d+\/messages$/.test(request.path),
    );
    const firstPostSec =
      posts.length > 0 ? (Math.min(...posts.map((request) => request.at)) - started) / 1000 : NaN;
    const messagesInChannels = [...messagesPerChannel.values()].reduce((sum, n) => sum + n, 0);
    const bound = lowerBoundSec(messagesInChannels, Math.max(0, ...messagesPerChannel.values()));
    // The same bound for the fewest messages the 10-embed limit allows (every channel's clips coalesced).
    const fewestMessages = world.channels.length * Math.ceil(CLIPS_PER_CHANNEL / MAX_EMBEDS_PER_MESSAGE);
    const fewestBound = lowerBoundSec(fewestMessages, Math.ceil(CLIPS_PER_CHANNEL / MAX_EMBEDS_PER_MESSAGE));
    // Less sensitive to the machine's load than the total: the posting rate between the first and the
    // last post, against the 50/s allowed (the total also holds the fan-out before the first post).
    const postTimes = posts.filter((request) => request.status === 200).map((request) => request.at);
    const postingSec = postTimes.length > 1 ? (Math.max(...postTimes) - Math.min(...postTimes)) / 1000 : NaN;
    const latency = summarise(await latencies(world.db));
    console.log(
      JSON.stringify({
        run: label,
        notifications: clips.length,
        channels: world.channels.length,
        complete: done,
        messages: messagesInChannels,
        postRequests200: messages,
        answered429: world.discord.findRequests((request) => request.status === 429).length,
        totalSec: Number(totalSec.toFixed(1)),
        firstPostSec: Number(firstPostSec.toFixed(1)),
        lowerBoundSec: Number(bound.toFixed(1)),
        ratioToBound: Number((totalSec / bound).toFixed(2)),
        ratioToFewestMessagesBound: Number((totalSec / fewestBound).toFixed(2)),
        postsPerSecWhilePosting: Number((messages / postingSec).toFixed(1)),
        loadAverage: loadavg().map((value) => Number(value.toFixed(1))),
        ...(killedAt === null ? {} : { killedAtSec: Number(killedAt.toFixed(1)) }),
        discoveryToPostMs: { p50: Math.round(latency.p50), p95: Math.round(latency.p95) },
        lost,
        duplicates,
      }),
    );
  } finally {
    await world.close();
  }
}

async function trickle(): Promise<void> {
  const world = await setUp();
  try {
    const worker = await startWorker(world);
    const count = Math.min(200, world.channels.length);
    for (let i = 0; i < count; i += 1) {
      await ingest(world.db, [clipFor(world.broadcasters[i]!)], worker);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitUntil(() => postedClipIds(world).length >= count, 60_000);
    await stopWorker(worker, 'SIGTERM');
    const latency = summarise(await latencies(world.db));
    console.log(
      JSON.stringify({
        run: 'trickle (1 clip / 50 ms, not rate-limited)',
        notifications: count,
        posted: postedClipIds(world).length,
        discoveryToPostMs: { p50: Math.round(latency.p50), p95: Math.round(latency.p95) },
        loadAverage: loadavg().map((value) => Number(value.toFixed(1))),
      }),
    );
  } finally {
    await world.close();
  }
}

const runs = (process.env.BENCH_RUNS ?? 'burst,kill,trickle').split(',');
if (runs.includes('burst')) await burst('burst', false);
if (runs.includes('kill')) await burst('burst with kill -9 midway', true);
if (runs.includes('trickle')) await trickle();
