import pino from 'pino';
import {
  ConfigError,
  loadDatabaseCommandConfig,
  loadDotEnv,
  type DatabaseCommandConfig,
} from '../../config/config.js';
import { createLogger, type Logger } from '../../observability/logger.js';
import { AppError } from '../../shared/errors.js';

/**
 * The frame of the database commands (backup, restore, move): only the database variables are validated (no
 * Discord or Twitch credentials needed), logs go to stderr so stdout carries just the command's summary, and
 * a failure prints one line (AppError messages are written for operators; driver errors get their message
 * with any connection-string credentials masked) and exits 1.
 */
export function runDatabaseCommand(
  name: string,
  command: (context: { config: DatabaseCommandConfig; logger: Logger }) => Promise<string>,
): void {
  const run = async (): Promise<void> => {
    loadDotEnv();
    const config = loadDatabaseCommandConfig(process.env);
    const password = config.database.url ? new URL(config.database.url).password : '';
    const logger = createLogger({
      level: config.logLevel,
      secrets: password ? [password, decodeURIComponent(password)] : [],
      destination: pino.destination({ dest: 2, sync: true }),
    });
    process.stdout.write(`${await command({ config, logger })}\n`);
  };
  run().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      const message =
        error instanceof AppError ? `${error.code}: ${error.message}` : (error as Error).message;
      console.error(`${name} failed: ${redactUrls(message)}`);
    }
    process.exitCode = 1;
  });
}

/** Hides credentials in any postgres URL an error message may quote. */
export function redactUrls(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/)[^@\s/]+@/gi, '$1***@');
}
