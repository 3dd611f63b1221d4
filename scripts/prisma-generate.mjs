// Generates the Prisma client without network access.
//
// `prisma generate` only needs the WASM query compiler that ships inside the npm packages, but the CLI
// still insists on finding a schema-engine binary, which it would otherwise try to download. Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies that check; generate never executes it.
// Migrations are plain SQL applied by the app (src/db/migrate.ts), so the engine is never needed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const prismaCli = require.resolve('prisma/build/index.js');

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/schema.prisma'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
process.exit(result.status ?? 1);
