// `npm run bench`: every benchmark, one after the other, each printing its own table. Arguments are passed
// to each (e.g. `npm run bench -- --quick`); run one alone with `npm run bench:search`, `bench:sync`, `bench:stats` or `bench:memory`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const benches = ['bench/searchBench.ts', 'bench/syncBench.ts', 'bench/statsBench.ts', 'bench/memoryBench.ts'];
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', bench, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed += 1;
    console.log(`${bench} failed with exit code ${result.status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
