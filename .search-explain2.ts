import pg from 'pg';
import { buildSearchStatement, type SearchPlan } from './src/clips/search/buildSearchSql.js';
import { parseSearchText } from './src/clips/search/parseSearchText.js';
import { chooseCandidateStrategy, estimateFrequency, termStatistics } from './src/clips/search/termStatistics.js';
const client = new pg.Client(process.argv[2]!); await client.connect();
const sql = { query: async (t: string, p?: unknown[]) => (await client.query(t, p)).rows } as never;
for (const text of process.argv.slice(3)) {
  const parsed = parseSearchText(text); if (parsed.kind !== 'terms') continue;
  const stats = await termStatistics(sql);
  const freq = estimateFrequency(stats!, parsed.include, { prefix: true });
  const strategy = chooseCandidateStrategy(stats, freq);
  const plan: SearchPlan = { include: parsed.include, exclude: [], mode: 'exact', corrections: {}, filters: {}, sort: 'relevance', now: new Date(), after: null, limit: 11, strategy };
  const st = buildSearchStatement(plan);
  const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${st.text}`, st.params);
  console.log(text, 'freq', freq.toFixed(5), JSON.stringify(strategy));
  console.log(r.rows.map((x) => x['QUERY PLAN']).filter((l: string) => /Heap Scan on clips|Bitmap Index|Index Scan using clips_view|Buffers: shared|Execution/.test(l)).slice(0, 12).join('\n'));
}
await client.end();
