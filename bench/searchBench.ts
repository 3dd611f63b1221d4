// npm run bench:search [-- --clips N] [--pglite-clips N] [--queries N] [--baseline-queries N]
//                         [--baseline-seconds S] [--skip-pglite] [--skip-postgres]
//                         [--writers N] [--keep] [--reuse DATABASE] [--slowest N]
//                         [--classes NAME,NAME]
// --slowest N prints each class's N slowest queries of ours to stderr (what to EXPLAIN next).
// --keep leaves the PostgreSQL database in place (its name is printed); --reuse DATABASE skips creating and
// ingesting and measures the queries against such a kept database (same --clips), then leaves it.
// The ILIKE baseline reads the whole table per query (seconds each at 10M clips), so above 1M clips it is
// sampled: fewer queries (the first of ours, in proportion to the table) and at most --baseline-seconds per
// class; the table's `ILIKE n` says how many ran.
//
// Generates synthetic clips into a fresh PostgreSQL database (and an in-memory PGlite) through upsertClips,
// then times each query class through the real search service (cache disabled) next to a naive
// `title ILIKE '%…%'` baseline on the same data, and prints one table. Not part of `npm test`.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { pino } from 'pino';
import { upsertBroadcasters, upsertClips, upsertGames } from '../src/clips/clipStore.js';
import { autocompleteChannels, autocompleteClippers } from '../src/clips/search/autocomplete.js';
import type { ClipSearchQuery } from '../src/clips/search/ClipSearchQuery.js';
import { findClips } from '../src/clips/search/findClips.js';
import { createDatabase } from '../src/db/createDatabase.js';
import type { Database } from '../src/db/Database.js';
import { applyMigrations } from '../src/db/migrate.js';
import { UserError } from '../src/shared/errors.js';
import { adversarialQueries, type AdversarialQuery } from './lib/adversarialQueries.js';
import { type LatencySummary, summarise, timeEach } from './lib/latency.js';
import { nullCache } from './lib/nullCache.js';
import { withAdminClient } from './lib/withAdminClient.js';
import { seededRandom } from '../test/fakes/twitch/clipGenerator.js';
import { syntheticCorpus, type SyntheticCorpus } from './lib/syntheticClips.js';

const { values: args } = parseArgs({
  options: {
    clips: { type: 'string', default: '1000000' },
    'pglite-clips': { type: 'string' },
    queries: { type: 'string', default: '200' },
    // Default: the same queries as ours (every class's p95 then compares the same 200 queries).
    'baseline-queries': { type: 'string' },
    // Per class, after at least MIN_BASELINE_QUERIES; default: no limit up to 1M clips, 150 s above.
    'baseline-seconds': { type: 'string' },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    writers: { type: 'string', default: '2' },
    slowest: { type: 'string', default: '0' },
    // Comma-separated class names to measure (default: all), e.g. --classes adversarial
    classes: { type: 'string' },
  },
});
const CLIPS = Number(args.clips);
const MIN_BASELINE_QUERIES = 10;
const PGLITE_CLIPS = Number(args['pglite-clips'] ?? Math.min(100_000, CLIPS));
const QUERIES = Number(args.queries);
/**
 * Baseline queries for a table of `clips`: by default the same as ours up to 1M clips (every class's p95
 * then compares the same queries); above, in proportion (20 at 10M clips), since each one scans the whole
 * table (~10 s at 10M).
 */
function baselineQueriesFor(clips: number): number {
  if (args['baseline-queries'] !== undefined) return Number(args['baseline-queries']);
  return Math.min(QUERIES, Math.max(MIN_BASELINE_QUERIES, Math.round((QUERIES * 1e6) / clips)));
}
function baselineSecondsFor(clips: number): number {
  return Number(args['baseline-seconds'] ?? (clips > 1_000_000 ? 150 : Infinity));
}
// Bench infrastructure, like tests, reads its own environment; the bot's config lives in src/config.
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const INGEST_CALL = 5_000;
// Two writers by default, as in production (the sync writes up to 8 polls and 2 backfills at once); a
// one-writer figure is measured too, after the queries, on top of the full table.
const INGEST_WORKERS = Math.max(1, Number(args.writers));
const SINGLE_WRITER_CLIPS = 50_000;
const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });

interface IngestFigure {
  writers: number;
  clips: number;
  seconds: number;
  perSecond: number;
}

interface Row {
  backend: string;
  clips: number;
  name: string;
  ours: LatencySummary | null;
  baseline: LatencySummary | null;
  note?: string;
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/**
 * Feeds upsertClips with clips [from, from + count) of the corpus from `workers` concurrent writers (the
 * sync engine likewise writes several channels at once), each call 5,000 clips = 5 batched statements.
 * Throughput = clips / wall time of the writes. Broadcasters and games must be stored first.
 */
async function ingest(
  db: Database,
  corpus: SyntheticCorpus,
  range: { from: number; count: number },
  workers: number,
): Promise<IngestFigure> {
  const now = new Date();
  const end = range.from + range.count;
  let next = range.from;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < end) {
        const offset = next;
        next += INGEST_CALL;
        const batch = Array.from({ length: Math.min(INGEST_CALL, end - offset) }, (_, i) =>
          corpus.clip(offset + i),
        );
        await upsertClips(db.sql, batch, now);
        done += batch.length;
        // Resident memory shows that ingesting stays bounded (a batch at a time) whatever the clip count.
        if (done % 100_000 < INGEST_CALL)
          progress(
            `ingested ${done}/${range.count} (rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB)`,
          );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { writers: workers, clips: range.count, seconds, perSecond: range.count / seconds };
}

/** Stores the corpus' broadcasters and games, then its first `count` clips. */
async function ingestCorpus(
  db: Database,
  corpus: SyntheticCorpus,
  count: number,
  workers: number,
): Promise<IngestFigure> {
  await upsertBroadcasters(db.sql, corpus.broadcasters);
  await upsertGames(db.sql, corpus.games);
  const figure = await ingest(db, corpus, { from: 0, count }, workers);
  // What autovacuum does after an ingest (the clip_search migration lowers its insert threshold for
  // clips): statistics for the planner and termStatistics, the visibility map for index-only walks.
  const analyzeStarted = performance.now();
  await db.sql.exec('VACUUM ANALYZE');
  progress(`VACUUM ANALYZE took ${Math.round(performance.now() - analyzeStarted)} ms`);
  return figure;
}

interface QuerySets {
  single: string[];
  multi: string[][];
  typo: string[];
  phrase: string[][];
  filters: ClipSearchQuery[];
  channelPrefixes: string[];
  clipperPrefixes: string[];
  adversarial: AdversarialQuery[];
}

/** Queries drawn from the stored titles, so word popularity follows the data's Zipf distribution. */
function buildQueries(corpus: SyntheticCorpus, clipCount: number, n: number, seed: number): QuerySets {
  const r = seededRandom(seed);
  const pickClip = () => corpus.clip(Math.floor(r() * clipCount));
  const wordsOf = (title: string) =>
    title
      .split(/\s+/)
      .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ''))
      .filter((w) => w.length > 0);
  const sets: QuerySets = {
    single: [],
    multi: [],
    typo: [],
    phrase: [],
    filters: [],
    channelPrefixes: [],
    clipperPrefixes: [],
    adversarial: adversarialQueries(corpus, clipCount),
  };
  while (sets.single.length < n) {
    const words = wordsOf(pickClip().title);
    const word = words[Math.floor(r() * words.length)];
    // Titles in scripts without spaces: search a 2–3 character piece, as a user would.
    if (word !== undefined)
      sets.single.push(
        /^[\p{Script=Latin}\p{N}]+$/u.test(word) || /\p{Script=Cyrillic}/u.test(word)
          ? word
          : Array.from(word)
              .slice(0, 2 + Math.floor(r() * 2))
              .join(''),
      );
  }
  while (sets.multi.length < n) {
    const words = [...new Set(wordsOf(pickClip().title))];
    if (words.length < 2) continue;
    const a = Math.floor(r() * words.length);
    const b = (a + 1 + Math.floor(r() * (words.length - 1))) % words.length;
    sets.multi.push([words[a]!, words[b]!]);
  }
  while (sets.typo.length < n) {
    const candidates = wordsOf(pickClip().title).filter((w) => /^[a-z]{5,}$/i.test(w));
    const word = candidates[Math.floor(r() * candidates.length)];
    if (word === undefined) continue;
    const i = 1 + Math.floor(r() * (word.length - 3));
    sets.typo.push(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  }
  while (sets.phrase.length < n) {
    const words = pickClip()
      .title.split(/\s+/)
      .filter((w) => /^[\p{L}\p{N}]+$/u.test(w));
    if (words.length < 2) continue;
    const i = Math.floor(r() * (words.length - 1));
    sets.phrase.push([words[i]!, words[i + 1]!]);
  }
  while (sets.filters.length < n) {
    const clip = pickClip();
    const variant = sets.filters.length % 3;
    sets.filters.push(
      variant === 0
        ? { channelIds: [clip.broadcasterId], sort: 'views' }
        : variant === 1
          ? { channelIds: [clip.broadcasterId], period: 'year', sort: 'views' }
          : { gameId: clip.gameId ?? corpus.games[0]!.id, minViews: 10, sort: 'views' },
    );
  }
  while (sets.channelPrefixes.length < n) {
    const login = corpus.broadcasters[Math.floor(r() * corpus.broadcasters.length)]!.login;
    sets.channelPrefixes.push(login.slice(0, 1 + Math.floor(r() * 3)));
  }
  while (sets.clipperPrefixes.length < n) {
    sets.clipperPrefixes.push(
      pickClip()
        .creatorName.toLowerCase()
        .slice(0, 2 + Math.floor(r() * 2)),
    );
  }
  return sets;
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const NAIVE = `SELECT id, title, view_count FROM clips WHERE deleted_at IS NULL AND`;

async function measure(
  db: Database,
  backend: string,
  clips: number,
  sets: QuerySets,
  baselineN: number,
): Promise<Row[]> {
  const deps = { db, cache: nullCache, logger };
  const search = (query: ClipSearchQuery) => findClips(deps, { pageSize: 10, ...query });
  const naive = (conditions: string[], params: string[]) =>
    db.sql.query(`${NAIVE} ${conditions.join(' AND ')} ORDER BY view_count DESC LIMIT 11`, params);
  const few = <T>(items: T[]) => items.slice(0, baselineN);
  // One class's baseline stops after its time budget (once it has MIN_BASELINE_QUERIES samples).
  const budgetMs = baselineSecondsFor(clips) * 1000;
  const timeBaseline = <T>(inputs: T[], work: (input: T) => Promise<unknown>) =>
    timeEach(few(inputs), work, { budgetMs, minSamples: MIN_BASELINE_QUERIES });
  // Warm caches and plans a little so the first samples do not measure cold buffers.
  for (const word of sets.single.slice(0, 10)) await search({ text: word });

  const rows: Row[] = [];
  // Refusals (too broad, too many words) are answers too: timed like any other, and counted in the class's
  // note. A search refused as too broad under a cold cache is what a member would have seen.
  const refusedByClass = new Map<string, Map<string, number>>();
  const answer = (name: string) => (query: ClipSearchQuery) =>
    search(query).catch((error: unknown) => {
      if (!(error instanceof UserError)) throw error;
      const refused = refusedByClass.get(name) ?? new Map<string, number>();
      refused.set(error.identifier, (refused.get(error.identifier) ?? 0) + 1);
      refusedByClass.set(name, refused);
    });
  const inputsOf: Record<string, unknown[]> = {
    'single word': sets.single,
    'multi-word': sets.multi,
    typo: sets.typo,
    phrase: sets.phrase,
    'filter-only, by views': sets.filters,
    'autocomplete channels': sets.channelPrefixes,
    'autocomplete clippers': sets.clipperPrefixes,
    adversarial: sets.adversarial,
  };
  const add = async (
    name: string,
    ours: () => Promise<number[]>,
    baseline: (() => Promise<number[]>) | null,
    note?: string,
  ) => {
    if (args.classes !== undefined && !args.classes.split(',').includes(name)) return;
    progress(`${backend}: ${name}`);
    const samples = await ours();
    const oursSummary = summarise(samples);
    const slowest = Number(args.slowest);
    if (slowest > 0) {
      const inputs = inputsOf[name] ?? [];
      const worst = samples
        .map((ms, index) => ({ ms, input: inputs[index] }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, slowest);
      for (const { ms, input } of worst) progress(`  ${ms.toFixed(1)} ms ${JSON.stringify(input)}`);
    }
    const baselineSummary = baseline === null ? null : summarise(await baseline());
    rows.push({
      backend,
      clips,
      name,
      ours: oursSummary,
      baseline: baselineSummary,
      ...(note === undefined ? {} : { note }),
    });
  };
  await add(
    'single word',
    () => timeEach(sets.single, (word) => answer('single word')({ text: word })),
    () => timeBaseline(sets.single, (word) => naive(['title ILIKE $1'], [`%${likeEscape(word)}%`])),
  );
  await add(
    'multi-word',
    () => timeEach(sets.multi, (words) => answer('multi-word')({ text: words.join(' ') })),
    () =>
      timeBaseline(sets.multi, (words) =>
        naive(
          ['title ILIKE $1', 'title ILIKE $2'],
          words.map((w) => `%${likeEscape(w)}%`),
        ),
      ),
  );
  await add(
    'typo',
    () => timeEach(sets.typo, (word) => answer('typo')({ text: word })),
    () => timeBaseline(sets.typo, (word) => naive(['title ILIKE $1'], [`%${likeEscape(word)}%`])),
    'baseline finds nothing',
  );
  await add(
    'phrase',
    () => timeEach(sets.phrase, (words) => answer('phrase')({ text: `"${words.join(' ')}"` })),
    () =>
      timeBaseline(sets.phrase, (words) => naive(['title ILIKE $1'], [`%${likeEscape(words.join(' '))}%`])),
  );
  await add(
    'filter-only, by views',
    () => timeEach(sets.filters, (query) => answer('filter-only, by views')(query)),
    null,
    'no text: no baseline',
  );
  await add(
    'autocomplete channels',
    () => timeEach(sets.channelPrefixes, (prefix) => autocompleteChannels(deps, { query: prefix })),
    () =>
      timeBaseline(sets.channelPrefixes, (prefix) =>
        db.sql.query(`SELECT id, login FROM broadcasters WHERE login ILIKE $1 ORDER BY login LIMIT 25`, [
          `%${likeEscape(prefix)}%`,
        ]),
      ),
  );
  await add(
    'autocomplete clippers',
    () => timeEach(sets.clipperPrefixes, (prefix) => autocompleteClippers(deps, { query: prefix })),
    () =>
      timeBaseline(sets.clipperPrefixes, (prefix) =>
        db.sql.query(
          `SELECT DISTINCT creator_id, creator_name FROM clips WHERE creator_name ILIKE $1 LIMIT 25`,
          [`${likeEscape(prefix)}%`],
        ),
      ),
  );
  await add(
    'adversarial',
    () => timeEach(sets.adversarial, ({ query }) => answer('adversarial')(query)),
    null,
  );
  for (const row of rows) {
    const refused = refusedByClass.get(row.name);
    const refusals = [...(refused ?? [])].map(([identifier, count]) => `${count} ${identifier}`).join(', ');
    const prefix = row.name === 'adversarial' ? `${sets.adversarial.length} distinct; ` : '';
    if (row.name === 'adversarial' || refusals !== '')
      row.note = [row.note, `${prefix}refused: ${refusals || 'none'}`].filter(Boolean).join('; ');
  }
  return rows;
}

function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withAdminClient(ADMIN_URL, work);
}

async function benchPostgres(corpus: SyntheticCorpus): Promise<{ rows: Row[]; ingest: IngestFigure[] }> {
  const reused = args.reuse;
  const name = reused ?? `tcs_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (reused === undefined) await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await createDatabase({ databaseUrl: url.toString(), poolSize: INGEST_WORKERS, logger });
  try {
    const figures: IngestFigure[] = [];
    if (reused === undefined) {
      await applyMigrations({ sql: db.sql, logger });
      progress(`PostgreSQL database ${name}: ingesting ${CLIPS} clips`);
      figures.push(await ingestCorpus(db, corpus, CLIPS, INGEST_WORKERS));
    } else {
      progress(`PostgreSQL database ${name}: reused, not ingesting`);
    }
    const sets = buildQueries(corpus, CLIPS, QUERIES, 7);
    const rows = await measure(db, 'PostgreSQL', CLIPS, sets, baselineQueriesFor(CLIPS));
    if (reused === undefined && INGEST_WORKERS > 1) {
      // After the queries, so that they ran on exactly CLIPS clips.
      progress(`PostgreSQL: ${SINGLE_WRITER_CLIPS} more clips with one writer`);
      figures.push(await ingest(db, corpus, { from: CLIPS, count: SINGLE_WRITER_CLIPS }, 1));
    }
    return { rows, ingest: figures };
  } finally {
    await db.close();
    if (args.keep || reused !== undefined) progress(`kept database ${name}`);
    else await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

async function benchPglite(corpus: SyntheticCorpus): Promise<{ rows: Row[]; ingest: IngestFigure[] }> {
  const db = await createDatabase({ logger });
  try {
    await applyMigrations({ sql: db.sql, logger });
    progress(`PGlite (in memory): ingesting ${PGLITE_CLIPS} clips`);
    // PGlite is single-connection: concurrent writers would only queue.
    const figure = await ingestCorpus(db, corpus, PGLITE_CLIPS, 1);
    const sets = buildQueries(corpus, PGLITE_CLIPS, QUERIES, 11);
    return {
      rows: await measure(db, 'PGlite', PGLITE_CLIPS, sets, baselineQueriesFor(PGLITE_CLIPS)),
      ingest: [figure],
    };
  } finally {
    await db.close();
  }
}

function printTable(results: Array<{ rows: Row[]; ingest: IngestFigure[] }>): void {
  const ms = (value: number | undefined) =>
    value === undefined ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1);
  const header = [
    'backend',
    'clips',
    'class',
    'n',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'ILIKE n',
    'ILIKE p50',
    'ILIKE p95',
    'speedup p50/p95',
    'note',
  ];
  const lines: string[][] = [];
  for (const result of results) {
    const first = result.rows[0];
    if (first === undefined) continue;
    for (const figure of result.ingest) {
      const onTop = figure.clips === first.clips ? '' : ` on top of ${first.clips}`;
      lines.push([
        first.backend,
        String(first.clips),
        `ingest (upsertClips, ${figure.writers} writer${figure.writers === 1 ? '' : 's'}${onTop})`,
        String(figure.clips),
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        '-',
        `${Math.round(figure.perSecond)} clips/s (${figure.seconds.toFixed(1)} s)`,
      ]);
    }
    for (const row of result.rows) {
      const speedup =
        row.ours !== null && row.baseline !== null
          ? `${Math.round(row.baseline.p50 / row.ours.p50)}× / ${Math.round(row.baseline.p95 / row.ours.p95)}×`
          : '-';
      lines.push([
        row.backend,
        String(row.clips),
        row.name,
        String(row.ours?.n ?? '-'),
        ms(row.ours?.p50),
        ms(row.ours?.p95),
        ms(row.ours?.p99),
        ms(row.ours?.max),
        String(row.baseline?.n ?? '-'),
        ms(row.baseline?.p50),
        ms(row.baseline?.p95),
        speedup,
        row.note ?? '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    `\nClip search bench — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const corpus = syntheticCorpus({ seed: 42, broadcasters: 5_000, games: 1_000, clippers: 200_000 });
  const results = args['skip-postgres'] ? [] : [await benchPostgres(corpus)];
  if (!args['skip-pglite']) results.push(await benchPglite(corpus));
  printTable(results);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
