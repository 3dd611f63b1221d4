// The composition root: reads the configuration once, builds every dependency, starts the bot, and stops it
// all again on SIGINT/SIGTERM. Nothing else in the project reads process.env or opens connections on import.
import { Events } from 'discord.js';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { commands } from '../commands/index.js';
import { createCache } from './cache/createCache.js';
import { createSearchMetrics } from './clips/search/searchMetrics.js';
import { ConfigError, configSecrets, loadConfig, loadDotEnv, type Config } from './config/config.js';
import type { Database } from './db/Database.js';
import { createDatabase } from './db/createDatabase.js';
import { applyMigrations } from './db/migrate.js';
import { createCommandServices } from './discord/commandServices.js';
import { createDiscordClient } from './discord/createDiscordClient.js';
import { createDiscordMetrics } from './discord/createDiscordMetrics.js';
import { createInteractionRouter } from './discord/createInteractionRouter.js';
import { createAdminServer, type AdminServer } from './http/adminServer.js';
import { cacheReadinessCheck } from './http/readiness.js';
import { twitchAuthRoutes } from './http/twitchAuthRoutes.js';
import { createLogger, routeDiscordDiagnostics } from './observability/logger.js';
import { createMetricsRegistry } from './observability/metrics.js';
import { ShutdownSequence } from './shared/ShutdownSequence.js';
import { AppError } from './shared/errors.js';
import { createClipSync, type ClipSync } from './sync/ClipSync.js';
import { createEventSubManager, type EventSubManager } from './twitch/EventSubManager.js';
import { createTwitchAdapter } from './twitch/TwitchAdapter.js';
import { createHelixLimiter } from './twitch/helixLimiter.js';
import { listLinkedAccounts } from './twitch/twitchAccounts.js';

/** SIGINT/SIGTERM must leave the process within this (issue 2: 10 s), even if a dependency hangs. */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** Helix points per minute of a Twitch app token (Twitch's typical bucket); the limiter never spends more. */
const HELIX_BUDGET_PER_MINUTE = 800;

/**
 * Twitch account linking (OAuth routes on the admin server) and EventSub WebSocket for linked broadcasters.
 * Enabled when the operator sets both PUBLIC_URL (Twitch redirects browsers there) and TOKEN_ENCRYPTION_KEY
 * (refresh tokens are stored encrypted); without them live state comes from Get Streams alone.
 */
async function setUpTwitchLinking(options: {
  config: Config;
  db: Database;
  sync: ClipSync;
  admin: AdminServer;
  registry: Registry;
  logger: Logger;
}): Promise<EventSubManager | null> {
  const { config, db, sync, admin, registry } = options;
  const logger = options.logger.child({ component: 'twitch-linking' });
  const key = config.tokenEncryptionKey;
  if (!key) {
    // Stored refresh tokens are useless without the key that encrypted them: refuse rather than silently
    // dropping every linked broadcaster back to polling.
    const linked = await listLinkedAccounts(db.sql);
    if (linked.length > 0) {
      throw new AppError(
        'config.tokenEncryptionKeyRequired',
        `${linked.length} Twitch account(s) are linked, but TOKEN_ENCRYPTION_KEY is not set. Set it to the key ` +
          'used when they were linked (see docs/configuration.md).',
      );
    }
  }
  if (!key || !config.publicUrl) {
    logger.info('Twitch account linking disabled (set PUBLIC_URL and TOKEN_ENCRYPTION_KEY to enable it)');
    return null;
  }
  const eventSub = createEventSubManager({
    clientId: config.twitch.clientId,
    clientSecret: config.twitch.clientSecret,
    tokenEncryptionKey: key,
    sql: db.sql,
    logger,
    registry,
    onLiveChange: (broadcasterId, isLive) => sync.setLiveState(broadcasterId, isLive),
  });
  admin.registerRoutes(twitchAuthRoutes, {
    clientId: config.twitch.clientId,
    clientSecret: config.twitch.clientSecret,
    publicUrl: config.publicUrl,
    tokenEncryptionKey: key,
    sql: db.sql,
    logger,
    // twurple's mock port redirects API calls but not browsers: send the browser to the fake's authorize page.
    ...(config.twitch.mockApiPort
      ? { authorizeUrl: `http://localhost:${config.twitch.mockApiPort}/auth/authorize` }
      : {}),
    onLinked: (account) => eventSub.addAccount(account),
  });
  return eventSub;
}

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

  const cache = createCache({
    redisUrl: config.redisUrl,
    logger: logger.child({ component: 'cache' }),
    registry,
  });
  shutdown.add('cache', () => cache.close());

  // The Helix budget is shared through Redis when several processes run; each connection of its own, because
  // Bottleneck's clustering subscribes (a subscribed connection cannot serve the cache).
  const limiterRedis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false }) : undefined;
  limiterRedis?.on('error', (error) => logger.warn({ err: error }, 'helix limiter redis error'));
  const limiter = createHelixLimiter({
    budgetPerMinute: HELIX_BUDGET_PER_MINUTE,
    ...(limiterRedis ? { redis: limiterRedis, id: 'tcs-helix' } : {}),
  });
  shutdown.add('helix limiter', async () => {
    await limiter.stop();
    limiterRedis?.disconnect();
  });
  const twitch = createTwitchAdapter({
    clientId: config.twitch.clientId,
    clientSecret: config.twitch.clientSecret,
    logger: logger.child({ component: 'twitch' }),
    limiter,
    registry,
  });
  shutdown.add('twitch adapter', () => twitch.stop());
  const sync = createClipSync({ db, twitch, cache, registry, logger });

  const discord = createDiscordClient({ apiUrl: config.discord.apiUrl });
  routeDiscordDiagnostics(discord, logger.child({ component: 'discord' }));
  const routeInteraction = createInteractionRouter({
    commands,
    deps: {
      ...createCommandServices({
        db,
        cache,
        twitch,
        sync,
        searchMetrics: createSearchMetrics(registry),
        twitchLinking:
          config.publicUrl && config.tokenEncryptionKey
            ? { publicUrl: config.publicUrl, tokenEncryptionKey: config.tokenEncryptionKey }
            : null,
        logger,
      }),
      logger: logger.child({ component: 'commands' }),
    },
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
      cache: cacheReadinessCheck(cache),
      twitch: { required: true, check: () => twitch.health() },
      discord: {
        required: true,
        check: async () => {
          if (!discord.isReady()) throw new Error('gateway not ready');
        },
      },
    },
  });
  const eventSub = await setUpTwitchLinking({ config, db, sync, admin, registry, logger });
  const { url } = await admin.start();
  shutdown.add('admin http', () => admin.stop());
  logger.info({ url }, 'admin server listening');

  shutdown.add('discord gateway', () => discord.destroy());
  await discord.login(config.discord.token);

  sync.start();
  shutdown.add('clip sync', () => sync.stop());
  if (eventSub) {
    await eventSub.start();
    shutdown.add('eventsub', () => eventSub.stop());
  }
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

  // Every configured secret is scrubbed from every log line, whatever field or message it ends up in.
  const logger = createLogger({ level: config.logLevel, secrets: configSecrets(config) });
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
