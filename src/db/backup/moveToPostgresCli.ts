// `npm run db:move-to-postgres`: copies the embedded database in DATA_DIR into the empty PostgreSQL database
// at DATABASE_URL and verifies the rows of every table. Stop the bot first; start it again with DATABASE_URL
// set. The embedded database is left untouched (keep it until the bot runs well on PostgreSQL).
import { AppError } from '../../shared/errors.js';
import { moveToPostgres } from './moveToPostgres.js';
import { runDatabaseCommand } from './runDatabaseCommand.js';

runDatabaseCommand('Move to PostgreSQL', async ({ config, logger }) => {
  if (!config.database.url) {
    throw new AppError(
      'move.noTarget',
      'Set DATABASE_URL to the empty PostgreSQL database to move into (DATA_DIR names the embedded one).',
    );
  }
  const outcome = await moveToPostgres({
    dataDir: config.database.dataDir,
    databaseUrl: config.database.url,
    logger,
  });
  const width = Math.max(...outcome.tables.map((row) => row.table.length));
  return (
    `Moved the embedded database in ${config.database.dataDir} to PostgreSQL; every table's rows match:\n` +
    outcome.tables.map((row) => `  ${row.table.padEnd(width)}  ${row.source} → ${row.target}`).join('\n') +
    '\nKeep DATABASE_URL set and start the bot.'
  );
});
