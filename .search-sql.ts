import { buildSearchStatement } from './src/clips/search/buildSearchSql.js';
import { parseSearchText } from './src/clips/search/parseSearchText.js';
const p = parseSearchText('pokemon');
if (p.kind !== 'terms') throw new Error();
const st = buildSearchStatement({ include: p.include, exclude: p.exclude, mode: 'exact', corrections: {}, filters: {}, sort: 'relevance', now: new Date(), after: null, limit: 11 });
console.log(st.text); console.log(st.params);
