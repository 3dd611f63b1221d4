// The composition root: reads the configuration once, builds every dependency, starts the bot, and stops it
// all again on SIGINT/SIGTERM. Nothing else in the project reads process.env or opens connections on import.
import { Events } from 'discord.js';
import type { Logger } from 'pino';
import { commands } from '../commands/index.js';
import { createCache } from './cache/createCache.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/config.js';
import { createDatabase } from './db/createDatabase.js';
import { applyMigrations } from './db/migrate.js';
import { createDiscordClient } from './discord/createDiscordClient.js';
import { createInteractionRouter } from './discord/createInteractionRouter.js';
import { createAdminServer } from './http/adminServer.js';
import { createLogger, routeDiscordDiagnostics } from './observability/logger.js';
import { createMetricsRegistry } from './observability/metrics.js';
import { createDiscordMetrics } from './discord/createDiscordMetrics.js';
import { ShutdownSequence } from './shared/ShutdownSequence.js';

/** SIGINT/SIGTERM must leave the process within this (issue 2: 10 s), even if a dependency hangs. */
const SHUTDOWN_DEADLINE_MS = 9_000;

async function startBot(config: Config, logger: Logger, shutdown: ShutdownSequence): Promise<void> {
  const registry = createMetricsRegistry();
  const discordMetrics = createDiscordMetrics(registry);

  const db = await createDatabase({
    databaseUrl: config.database.url,
    dataDir: config.database.dataDir,
    logger: logger.child({ component: 'db' }),
  });
  shutdown.add('database', () => db.close());
  const { applied } = await applyMigrations({ sql: db.sql, logger: logger.child({ component: 'migrate' }) });
  logger.info({ backend: db.kind, migrationsApplied: applied.length }, 'database ready');

  const cache = createCache({ redisUrl: config.redisUrl, logger: logger.child({ component: 'cache' }), registry });
  shutdown.add('cache', () => cache.close());

  const discord = createDiscordClient({ apiUrl: config.discord.apiUrl });
  routeDiscordDiagnostics(discord, logger.child({ component: 'discord' }));
  const routeInteraction = createInteractionRouter({
    commands,
    deps: { db, cache, logger: logger.child({ component: 'commands' }) },
    interactionsTotal: discordMetrics.interactionsTotal,
  });
  discord.on(Events.InteractionCreate, (interaction) => void routeInteraction(interaction));
  discord.once(Events.ClientReady, (client) => {
    logger.info({ user: client.user.tag, guilds: client.guilds.cache.size }, 'discord gateway ready');
  });

  const admin = createAdminServer({
    host: config.admin.host,
    port: config.admin.port,
    metricsToken: config.admin.metricsToken,
    registry,
    logger: logger.child({ component: 'admin' }),
    readinessChecks: {
      database: { required: true, check: () => db.ping() },
      cache: {
        required: false,
        check: async () => {
          const health = cache.health();
          if (!health.up) throw new Error(health.detail ?? 'cache down');
        },
      },
      discord: {
        required: true,
        check: async () => {
          if (!discord.isReady()) throw new Error('gateway not ready');
        },
      },
    },
  });
  const { url } = await admin.start();
  shutdown.add('admin http', () => admin.stop());
  logger.info({ url }, 'admin server listening');

  shutdown.add('discord gateway', () => discord.destroy());
  await discord.login(config.discord.token);
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger({ level: config.logLevel });
  const shutdown = new ShutdownSequence(logger, SHUTDOWN_DEADLINE_MS);
  let stopping = false;
  const stop = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const clean = await shutdown.run();
    logger.info({ clean }, 'shutdown complete');
    logger.flush();
    process.exit(clean ? exitCode : 1);
  };
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });

  try {
    await startBot(config, logger, shutdown);
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await stop('start-up failed', 1);
  }
}

void main();
