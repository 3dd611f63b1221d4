// `npm run bench`: every benchmark, one after the other, each printing its own figures.
//
//   npm run bench [-- --only notify,interactions] [--search "--clips 100000"] [--notify "..."]
//
// Each bench parses its own options (some strictly), so one argument list cannot suit them all: a bench's
// arguments go in the option named after it, as one string. `--only` picks benches by name. Run one alone
// with `npm run bench:<name>`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCHES = {
  search: 'bench/searchBench.ts',
  sync: 'bench/syncBench.ts',
  stats: 'bench/statsBench.ts',
  notify: 'bench/notifyBench.ts',
  interactions: 'bench/interactionsBench.ts',
  memory: 'bench/memoryBench.ts',
} as const;
type BenchName = keyof typeof BENCHES;
const NAMES = Object.keys(BENCHES) as BenchName[];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    ...Object.fromEntries(NAMES.map((name) => [name, { type: 'string' as const }])),
  },
});
const only = values.only === undefined ? NAMES : values.only.split(',').map((name) => name.trim());
const unknown = only.filter((name) => !NAMES.includes(name as BenchName));
if (unknown.length > 0) {
  console.error(`Unknown bench ${unknown.join(', ')}; known: ${NAMES.join(', ')}`);
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
let failed = 0;
for (const name of only as BenchName[]) {
  const args = ((values as Record<string, string | undefined>)[name] ?? '').split(/\s+/).filter(Boolean);
  console.log(`\n=== ${name}: ${BENCHES[name]} ${args.join(' ')} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', BENCHES[name], ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed += 1;
    console.log(`${name} failed with exit code ${result.status}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
