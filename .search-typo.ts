import pg from 'pg';
import { buildSearchStatement, type SearchPlan } from './src/clips/search/buildSearchSql.js';
import { parseSearchText } from './src/clips/search/parseSearchText.js';
import { editDistance, maxEdits } from './src/clips/search/editDistance.js';
import { chooseCandidateStrategy, estimateFrequency, termStatistics } from './src/clips/search/termStatistics.js';
const client = new pg.Client(process.argv[2]!); await client.connect();
const sql = { query: async (t: string, p?: unknown[]) => (await client.query(t, p)).rows, exec: async () => {}, transaction: async () => { throw new Error(); } } as never;
for (const text of process.argv.slice(3)) {
  const parsed = parseSearchText(text); if (parsed.kind !== 'terms') continue;
  await client.query('BEGIN'); await client.query(`select set_config('pg_trgm.similarity_threshold','0.2',true)`);
  const rows = (await client.query(`SELECT w.word, similarity(w.word, $1)::float8 s FROM clip_search_words w WHERE w.word % $1 AND w.word <> $1 ORDER BY s DESC, w.word LIMIT 40`, [text])).rows;
  await client.query('COMMIT');
  const list = rows.map((r) => ({ word: r.word as string, similarity: Number(r.s), distance: editDistance(text, r.word) })).filter((r) => r.distance <= maxEdits(text)).sort((a, b) => a.distance - b.distance || b.similarity - a.similarity).slice(0, 5);
  const corrections = { [text]: list.map(({ word, similarity }) => ({ word, similarity })) };
  const stats = await termStatistics(sql);
  const freq = estimateFrequency(stats!, parsed.include, { prefix: true, corrections });
  const strategy = chooseCandidateStrategy(stats, freq);
  const plan: SearchPlan = { include: parsed.include, exclude: [], mode: 'fuzzy', corrections, filters: {}, sort: 'relevance', now: new Date(), after: null, limit: 11, strategy };
  const st = buildSearchStatement(plan);
  const t = performance.now();
  const r = await client.query(`EXPLAIN (ANALYZE) ${st.text}`, st.params);
  console.log(text, JSON.stringify(list.map((l) => `${l.word}/${l.distance}`)), 'freq', freq.toFixed(5), JSON.stringify(strategy), (performance.now() - t).toFixed(1), 'ms');
  console.log(r.rows.map((x) => x['QUERY PLAN']).filter((l: string) => /Heap Scan on clips|Index Scan using clips|Execution/.test(l)).join('\n'));
}
await client.end();
