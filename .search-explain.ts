import pg from 'pg';
import { buildSearchStatement, type SearchPlan } from './src/clips/search/buildSearchSql.js';
import { parseSearchText } from './src/clips/search/parseSearchText.js';
const url = process.argv[2]!;
const client = new pg.Client(url); await client.connect();
for (const text of process.argv.slice(3)) {
  const parsed = parseSearchText(text);
  if (parsed.kind !== 'terms') continue;
  const plan: SearchPlan = { include: parsed.include, exclude: parsed.exclude, mode: 'exact', corrections: {}, filters: {}, sort: 'relevance', now: new Date(), after: null, limit: 11 };
  const st = buildSearchStatement(plan);
  const cnt = await client.query(`select count(*) n from clips where search_vector @@ to_tsquery('clip_search', $1)`, [st.params[0]]);
  const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${st.text}`, st.params);
  console.log(`=== ${text} matches=${cnt.rows[0].n}`);
  console.log(r.rows.map((x) => x['QUERY PLAN']).filter((l: string) => /Scan on clips|CTE Scan on tier|Execution|Planning Time|Rows Removed|One-Time/.test(l)).join('\n'));
}
await client.end();
