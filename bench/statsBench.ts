// npm run bench:stats [-- --clips 150000 --runs 10 --db postgres|pglite|both]
//
// /clips stats on one big channel: seeds `clips` clips for it over three years (plus a third as many for
// another channel, 1 % of them deleted, Zipf-like clippers, games and views) and times getChannelClipStats
// per period and renderClipStatsChart, then prints the plan of the all-time statement.
import { CHANNEL_CLIP_STATS_SQL, getChannelClipStats } from '../src/clips/stats/getChannelClipStats.js';
import { renderClipStatsChart } from '../src/clips/stats/renderClipStatsChart.js';
import type { ClipStatsPeriod } from '../src/clips/stats/ChannelClipStats.js';
import { TOP_LIST_SIZE } from '../src/clips/stats/ChannelClipStats.js';
import type { Database } from '../src/db/Database.js';
import { openTestDatabase } from '../test/support/databases.js';
import { summarise, timeEach } from './lib/latency.js';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const CLIPS = Number(arg('clips', '150000'));
const RUNS = Number(arg('runs', '10'));
const KINDS =
  arg('db', 'both') === 'both'
    ? (['postgres', 'pglite'] as const)
    : [arg('db', 'postgres') as 'postgres' | 'pglite'];
const NOW = new Date('2026-11-04T15:30:00Z');
const CHANNEL = '9001';
const PERIODS: ClipStatsPeriod[] = ['day', 'week', 'month', 'year', 'all'];

async function seed(db: Database): Promise<void> {
  await db.sql.query(
    `INSERT INTO broadcasters (id, login, display_name) VALUES ('9001', 'bigchannel', 'BigChannel'), ('9002', 'other', 'Other')`,
  );
  await db.sql.query(
    `INSERT INTO games (id, name) SELECT g::text, 'Game ' || g FROM generate_series(1, 50) g`,
  );
  await db.sql.withConnection(async (connection) => {
    await connection.query(`SELECT setseed(0.42)`);
    // Every fourth clip belongs to the other channel; creation times lean towards recent (power < 1).
    await connection.query(
      `INSERT INTO clips (id, broadcaster_id, creator_id, creator_name, game_id, language, title, view_count,
                          created_at, thumbnail_url, url, embed_url, duration_sec, deleted_at)
       SELECT 'clip' || i, CASE WHEN i % 4 = 0 THEN '9002' ELSE '9001' END,
              creator::text, 'clipper' || creator, (1 + floor(power(random(), 2) * 50))::text, 'en',
              'clip number ' || i, floor(power(random(), 4) * 100000)::int,
              $2::timestamptz - power(random(), 0.7) * interval '1095 days', '', '', '', 30,
              CASE WHEN random() < 0.01 THEN $2::timestamptz END
       FROM (SELECT i, floor(power(random(), 3) * 2000)::int AS creator FROM generate_series(1, $1::int) i) s`,
      [Math.round((CLIPS * 4) / 3), NOW],
    );
    await connection.query(`ANALYZE clips`);
  });
}

for (const kind of KINDS) {
  const { db, cleanup } = await openTestDatabase(kind);
  try {
    const seedStarted = performance.now();
    await seed(db);
    const [{ clips }] = (await db.sql.query<{ clips: number }>(
      `SELECT count(*)::int AS clips FROM clips WHERE broadcaster_id = $1 AND deleted_at IS NULL`,
      [CHANNEL],
    )) as [{ clips: number }];
    console.log(
      `\n${kind}: ${clips.toLocaleString('en-US')} live clips on the channel (seeded in ${Math.round(performance.now() - seedStarted)} ms)`,
    );
    console.log('period | clips in window | buckets | p50 ms | p95 ms');
    for (const period of PERIODS) {
      const stats = await getChannelClipStats({ db }, { broadcasterId: CHANNEL, period, now: NOW }); // warm-up
      const samples = await timeEach(Array.from({ length: RUNS }), () =>
        getChannelClipStats({ db }, { broadcasterId: CHANNEL, period, now: NOW }),
      );
      const { p50, p95 } = summarise(samples);
      console.log(
        `${period} | ${stats.totals.clips} | ${stats.buckets.length} ${stats.unit} | ${p50.toFixed(1)} | ${p95.toFixed(1)}`,
      );
    }
    // Floor for comparison: only reading the same rows (count and sum), no grouping.
    const floor = await timeEach(Array.from({ length: RUNS }), () =>
      db.sql.query(
        `SELECT count(*), sum(view_count) FROM clips WHERE broadcaster_id = $1 AND deleted_at IS NULL`,
        [CHANNEL],
      ),
    );
    console.log(
      `reading the channel's rows only (count + sum, all time): p50 ${summarise(floor).p50.toFixed(1)} ms`,
    );
    const all = await getChannelClipStats({ db }, { broadcasterId: CHANNEL, period: 'all', now: NOW });
    const renders = await timeEach(Array.from({ length: RUNS }), () =>
      renderClipStatsChart(all, { channelName: 'BigChannel', periodLabel: 'All time' }),
    );
    const chart = await renderClipStatsChart(all, { channelName: 'BigChannel', periodLabel: 'All time' });
    const render = summarise(renders);
    console.log(
      `render (all time, ${all.buckets.length} bars): p50 ${render.p50.toFixed(1)} ms, p95 ${render.p95.toFixed(1)} ms, ${chart.png.length} bytes`,
    );
    const plan = await db.sql.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${CHANNEL_CLIP_STATS_SQL}`,
      [CHANNEL, null, NOW, '1 day', TOP_LIST_SIZE],
    );
    console.log(`plan (all time):\n${plan.map((row) => `  ${row['QUERY PLAN']}`).join('\n')}`);
  } finally {
    await cleanup();
  }
}
