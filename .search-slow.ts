// Temporary analysis helper (not committed): times findClips per query and prints the slowest.
import { pino } from 'pino';
import { findClips } from './src/clips/search/findClips.js';
import { createDatabase } from './src/db/createDatabase.js';
import { nullCache } from './bench/lib/nullCache.js';
import { syntheticCorpus, seededRandom } from './bench/lib/syntheticClips.js';
const db = await createDatabase({ databaseUrl: process.argv[2]!, logger: pino({ level: 'silent' }) });
const corpus = syntheticCorpus({ seed: 42, broadcasters: 5_000, games: 1_000, clippers: 200_000 });
const r = seededRandom(99);
const mode = process.argv[3] ?? 'single';
const queries: string[] = [];
while (queries.length < 150) {
  const words = corpus.clip(Math.floor(r() * 1_000_000)).title.split(/\s+/).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean);
  if (mode === 'single') queries.push(words[Math.floor(r() * words.length)] ?? 'x');
  else if (mode === 'typo') { const w = words.filter((x) => /^[a-z]{5,}$/i.test(x))[0]; if (w) { const i = 1 + Math.floor(r() * (w.length - 3)); queries.push(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2)); } }
  else if (words.length >= 2) queries.push(mode === 'phrase' ? `"${words[0]} ${words[1]}"` : `${words[0]} ${words[words.length - 1]}`);
}
const times: Array<[number, string, string]> = [];
for (const q of queries) {
  const t = performance.now();
  const page = await findClips({ db, cache: nullCache, logger: pino({ level: 'silent' }) }, { text: q, pageSize: 10 });
  times.push([performance.now() - t, q, `${page.mode} total=${page.totalEstimate}${page.totalIsExact ? '' : '~'}`]);
}
times.sort((a, b) => b[0] - a[0]);
for (const [ms, q, info] of times.slice(0, 12)) console.log(ms.toFixed(1), JSON.stringify(q), info);
console.log('p50', times[Math.floor(times.length / 2)]![0].toFixed(1));
await db.close();
