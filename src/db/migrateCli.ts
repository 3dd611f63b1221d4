// `npm run db:migrate`: applies pending migrations to the configured database and exits. The bot applies
// them at startup too; this command exists for deployments that migrate as a separate release step.
import { ConfigError, loadDatabaseCommandConfig, loadDotEnv } from '../config/config.js';
import { createLogger } from '../observability/logger.js';
import { AppError } from '../shared/errors.js';
import { createDatabase } from './createDatabase.js';
import { redactUrls } from './backup/runDatabaseCommand.js';
import { applyMigrations } from './migrate.js';

async function main(): Promise<void> {
  loadDotEnv();
  // Migrating needs no Discord or Twitch credentials: validate only the database variables.
  const config = loadDatabaseCommandConfig(process.env);
  const logger = createLogger({ level: config.logLevel });

  const db = await createDatabase({
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
    poolSize: 1,
    logger,
  });
  try {
    const { applied } = await applyMigrations({ sql: db.sql, logger });
    logger.info(
      { applied },
      applied.length > 0 ? `applied ${applied.length} migration(s)` : 'nothing to apply',
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  // AppError messages are written for operators and carry no secrets; anything else gets its message only,
  // because driver errors can quote the connection string.
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const message = error instanceof AppError ? `${error.code}: ${error.message}` : (error as Error).message;
  console.error(`Migration failed: ${redactUrls(message)}`);
  process.exitCode = 1;
});
