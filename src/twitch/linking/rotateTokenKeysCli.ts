// `npm run tokens:rotate`: re-encrypts every stored Twitch refresh token with TOKEN_ENCRYPTION_KEY, so the keys
// in TOKEN_ENCRYPTION_OLD_KEYS can then be removed. Safe to run while the bot runs; exit 2 when some tokens could
// not be decrypted with any configured key.
import { ConfigError, loadDotEnv, loadTokenRotationConfig } from '../../config/config.js';
import { createDatabase } from '../../db/createDatabase.js';
import { createLogger } from '../../observability/logger.js';
import { rotateTokenKeys } from './rotateTokenKeys.js';
import { createTokenKeyring } from './tokenCipher.js';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadTokenRotationConfig(process.env);
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.tokenEncryptionKey, ...config.tokenEncryptionOldKeys].map((key) =>
      key.toString('base64'),
    ),
  });
  const db = await createDatabase({
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
    poolSize: 1,
    logger,
  });
  try {
    const result = await rotateTokenKeys({
      sql: db.sql,
      keyring: createTokenKeyring(config.tokenEncryptionKey, config.tokenEncryptionOldKeys),
      logger,
    });
    if (result.undecryptable.length > 0) process.exitCode = 2;
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    // Only the name and code: driver errors can quote the connection string.
    const { name, code } = error as { name?: string; code?: unknown };
    console.error(`Token rotation failed: ${name ?? 'Error'}${code ? ` (${String(code)})` : ''}`);
  }
  process.exitCode = 1;
});
