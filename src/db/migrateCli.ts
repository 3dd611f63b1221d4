// `npm run db:migrate`: applies pending migrations to the configured database and exits. The bot applies
// them at startup too; this command exists for deployments that migrate as a separate release step.
import { pino } from 'pino';
import { loadDotEnv } from '../config/config.js';
import { AppError } from '../shared/errors.js';
import { createDatabase } from './createDatabase.js';
import { applyMigrations } from './migrate.js';

async function main(): Promise<void> {
  loadDotEnv();
  // TODO(lead): replace with a partial loader from src/config (e.g. `loadDatabaseConfig(process.env)`) so
  // this command validates DATABASE_URL/DATA_DIR exactly like the bot; the full `loadConfig` would demand
  // Discord and Twitch credentials that migrating does not need.
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  const dataDir = process.env.DATA_DIR?.trim() || './data';
  const logger = pino({ level: process.env.LOG_LEVEL?.trim() || 'info' });

  const db = await createDatabase({ databaseUrl, dataDir, poolSize: 1, logger });
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
  const message = error instanceof AppError ? `${error.code}: ${error.message}` : (error as Error).message;
  console.error(`Migration failed: ${redactUrls(message)}`);
  process.exitCode = 1;
});

/** Hides credentials in any postgres URL an error message may quote. */
function redactUrls(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/)[^@\s/]+@/gi, '$1***@');
}
