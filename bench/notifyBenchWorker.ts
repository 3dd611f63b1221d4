// One notifier process for bench/notifyBench.ts (so the bench can kill -9 it): fan-out, packing and the
// delivery worker against the database and Discord REST URL given in the environment.
import { createInterface } from 'node:readline';
import { REST } from '@discordjs/rest';
import { createDatabase } from '../src/db/createDatabase.js';
import { createNotifier } from '../src/notify/Notifier.js';
import { notifyDiscordFromRest } from '../src/notify/notifyDiscord.js';
import { testLogger } from '../test/support/databases.js';
import { timeSql } from './lib/sqlTimings.js';

const { BENCH_DATABASE_URL, BENCH_DISCORD_API, BENCH_DISCORD_TOKEN } = process.env;
if (!BENCH_DATABASE_URL || !BENCH_DISCORD_API || !BENCH_DISCORD_TOKEN) {
  console.error('BENCH_DATABASE_URL, BENCH_DISCORD_API and BENCH_DISCORD_TOKEN are required');
  process.exit(1);
}
const logger = testLogger();
const db = await createDatabase({ databaseUrl: BENCH_DATABASE_URL, poolSize: 8, logger });
const rest = new REST({ api: BENCH_DISCORD_API, version: '10' }).setToken(BENCH_DISCORD_TOKEN);
const maxInFlight = process.env.BENCH_MAX_IN_FLIGHT ? Number(process.env.BENCH_MAX_IN_FLIGHT) : undefined;
// BENCH_SQL_TIMINGS=1: per-statement timings on stderr when the bench stops the worker.
const timings = process.env.BENCH_SQL_TIMINGS === '1' ? timeSql(db.sql) : null;
const notifier = createNotifier({
  db: timings === null ? db : { sql: timings.sql },
  discord: notifyDiscordFromRest(rest, { token: BENCH_DISCORD_TOKEN }),
  logger,
  ...(maxInFlight ? { options: { maxInFlight } } : {}),
});
notifier.start();
// The bench writes a line after each ingest commit: the in-process clip event with which the bot's sync
// wakes its notifier (src/main.ts), which a notifier in another process would not get.
createInterface({ input: process.stdin }).on('line', () => notifier.wake());
console.log('ready');
process.once('SIGTERM', () => {
  void notifier.stop().then(async () => {
    if (timings !== null) console.error(JSON.stringify({ sqlTimings: timings.report() }, null, 1));
    await db.close();
    process.exit(0);
  });
});
