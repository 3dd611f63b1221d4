// `npm run db:backup [-- --out <file>]`: a consistent backup of the configured database while the bot runs.
// PostgreSQL: pg_dump custom format (`.dump`). Embedded: a gzip tarball of DATA_DIR (`.tar.gz`), taken by the
// running bot when it holds the directory. Default file: backups/tcs-<backend>-<UTC time>.<ext>.
import { parseArgs } from 'node:util';
import { backupDatabase } from './backupDatabase.js';
import { runDatabaseCommand } from './runDatabaseCommand.js';

runDatabaseCommand('Backup', async ({ config, logger }) => {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outcome = await backupDatabase({
    ...(config.database.url ? { databaseUrl: config.database.url } : {}),
    dataDir: config.database.dataDir,
    ...(values.out ? { output: values.out } : {}),
    logger,
  });
  return `Backed up the ${outcome.backend === 'postgres' ? 'PostgreSQL' : 'embedded'} database (${outcome.via}) to ${outcome.output} (${outcome.bytes} bytes).`;
});
