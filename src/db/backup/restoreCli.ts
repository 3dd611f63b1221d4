// `npm run db:restore -- <file>`: restores a db:backup file into the configured database, which must be
// empty (a new PostgreSQL database, or an empty DATA_DIR). Prints the rows per table it restored.
import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors.js';
import { restoreDatabase } from './restoreDatabase.js';
import { runDatabaseCommand } from './runDatabaseCommand.js';
import { formatCounts } from './tableCounts.js';

runDatabaseCommand('Restore', async ({ config, logger }) => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) {
    throw new AppError('restore.usage', 'Usage: npm run db:restore -- <backup file>');
  }
  const outcome = await restoreDatabase({
    file,
    ...(config.database.url ? { databaseUrl: config.database.url } : {}),
    dataDir: config.database.dataDir,
    logger,
  });
  return (
    `Restored ${file} into the ${outcome.backend === 'postgres' ? 'PostgreSQL' : 'embedded'} database ` +
    `(${outcome.migrations.length} migrations recorded; the bot applies newer ones when it starts). Rows:\n` +
    formatCounts(outcome.counts)
  );
});
