// The composition root: reads the configuration once, builds every dependency, starts the bot, and stops it
// all again on SIGINT/SIGTERM. Nothing else in the project reads process.env or opens connections on import.
import { Events } from 'discord.js';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { commands } from '../commands/index.js';
import { createCache } from './cache/createCache.js';
import { deriveCursorSecret } from './clips/search/searchCursor.js';
import { createSearchMetrics } from './clips/search/searchMetrics.js';
import { ConfigError, configSecrets, loadConfig, loadDotEnv, type Config } from './config/config.js';
import { serveBackupRequests } from './db/backup/serveBackupRequests.js';
import { createDatabase } from './db/createDatabase.js';
import { applyMigrations } from './db/migrate.js';
import { instrumentDatabase } from './db/instrumentDatabase.js';
import { isPgliteDatabase } from './db/openPgliteDatabase.js';
import { warmUpQueryEngine } from './db/warmUpQueryEngine.js';
import { createCommandServices } from './discord/commandServices.js';
import { createDiscordClient } from './discord/createDiscordClient.js';
import { createDiscordMetrics } from './discord/createDiscordMetrics.js';
import { gatewayReadinessCheck, logShardEvents, registerShardMetrics } from './discord/gatewayShards.js';
import { createInteractionRouter } from './discord/createInteractionRouter.js';
import { routeDiscordDiagnostics } from './discord/routeDiscordDiagnostics.js';
import { sharedIdentifyThrottler } from './discord/sharedIdentifyThrottler.js';
import { trackGuildMembership } from './discord/trackGuildMembership.js';
import { createGuildService } from './guilds/GuildService.js';
import { createAdminServer } from './http/adminServer.js';
import { cacheReadinessCheck } from './http/readiness.js';
import { twitchAuthRoutes } from './http/twitchAuthRoutes.js';
import { createLogger } from './observability/logger.js';
import { createMetricsRegistry } from './observability/metrics.js';
import { createDigestScheduler } from './notify/digests/DigestScheduler.js';
import { createBotPoster } from './notify/BotPoster.js';
import { createNotifier } from './notify/Notifier.js';
import { notifyDiscordFromRest } from './notify/notifyDiscord.js';
import { sendSubscriptionTestPost } from './notify/sendSubscriptionTestPost.js';
import { createWebhookMode } from './notify/webhooks/createWebhookMode.js';
import { ShutdownSequence } from './shared/ShutdownSequence.js';
import { createSubscriptionService } from './subscriptions/SubscriptionService.js';
import { createClipSync } from './sync/ClipSync.js';
import { createTwitchAdapter } from './twitch/TwitchAdapter.js';
import { createHelixLimiter } from './twitch/helixLimiter.js';
import { createTwitchLinking } from './twitch/linking/createTwitchLinking.js';

/** SIGINT/SIGTERM must leave the process within this (issue 2: 10 s), even if a dependency hangs. */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** Part of the shutdown deadline kept for closing the database. */
const DATABASE_CLOSE_RESERVE_MS = 2_000;

/** Helix points per minute of a Twitch app token (Twitch's typical bucket); the limiter never spends more. */
const HELIX_BUDGET_PER_MINUTE = 800;

async function startBot(config: Config, logger: Logger, shutdown: ShutdownSequence): Promise<void> {
  const registry = createMetricsRegistry();
  const discordMetrics = createDiscordMetrics(registry);

  const db = instrumentDatabase(
    await createDatabase({
      databaseUrl: config.database.url,
      dataDir: config.database.dataDir,
      logger: logger.child({ component: 'db' }),
    }),
    registry,
  );
  // Reserved time: however long the steps before it take, the database is closed (PGlite flushes its files
  // and releases its data-directory lock).
  shutdown.add('database', () => db.close(), { reserveMs: DATABASE_CLOSE_RESERVE_MS });
  const { applied } = await applyMigrations({ sql: db.sql, logger: logger.child({ component: 'migrate' }) });
  await warmUpQueryEngine(db);
  logger.info({ backend: db.kind, migrationsApplied: applied.length }, 'database ready');
  if (isPgliteDatabase(db)) {
    // The embedded database is locked to this process: `npm run db:backup` asks it for a consistent copy.
    const backups = await serveBackupRequests({
      db,
      dataDir: config.database.dataDir,
      logger: logger.child({ component: 'db' }),
      registry,
    });
    shutdown.add('backup requests', () => backups.stop());
  }

  const cache = createCache({
    redisUrl: config.redisUrl,
    memoryMaxBytes: config.memoryCacheMaxBytes,
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
    cache,
  });
  shutdown.add('twitch adapter', () => twitch.stop());
  const sync = createClipSync({
    db,
    twitch,
    cache,
    registry,
    logger,
    options: { trackingIdleMs: config.trackingIdleMs },
  });
  const guilds = createGuildService({ sql: db.sql });

  const discord = createDiscordClient({
    apiUrl: config.discord.apiUrl,
    restTimeoutMs: config.discord.restTimeoutMs,
    sharding: config.discord.sharding,
    // Processes that share Redis take turns to IDENTIFY, as Discord's max_concurrency demands of the bot.
    buildIdentifyThrottler: sharedIdentifyThrottler({
      cache,
      applicationId: config.discord.applicationId,
      logger: logger.child({ component: 'discord' }),
      registry,
    }),
  });
  routeDiscordDiagnostics(discord, logger.child({ component: 'discord' }));
  logShardEvents(discord, logger);
  registerShardMetrics(discord, registry);
  // New clips go out through the bot's own REST client (one rate limiter for everything the bot sends), and
  // forum posts through a non-retrying one (src/notify/notifyDiscord.ts).
  const notifyDiscord = notifyDiscordFromRest(discord.rest, { token: config.discord.token });
  const testPoster = createBotPoster(notifyDiscord);
  // Subscriptions posting as the streamer: one webhook manager for the notifier and /subscriptions test.
  const webhookMode = createWebhookMode({
    sql: db.sql,
    rest: discord.rest,
    applicationId: config.discord.applicationId,
    logger,
    registry,
  });
  trackGuildMembership({ client: discord, guilds, logger });
  const routeInteraction = createInteractionRouter({
    commands,
    deps: {
      ...createCommandServices({
        db,
        cache,
        twitch,
        sync,
        searchMetrics: createSearchMetrics(registry),
        search: { cursorSecret: deriveCursorSecret(config.discord.token) },
        twitchLinking:
          config.publicUrl && config.tokenEncryptionKey
            ? { publicUrl: config.publicUrl, tokenEncryptionKey: config.tokenEncryptionKey }
            : null,
        subscriptions: createSubscriptionService({ sql: db.sql, sync, quota: config.subscriptionsPerGuild }),
        guilds,
        notifications: {
          sendTestPost: (subscription) => sendSubscriptionTestPost(testPoster, subscription, webhookMode),
        },
        logger,
      }),
      logger: logger.child({ component: 'commands' }),
    },
    metrics: discordMetrics,
  });
  discord.on(Events.InteractionCreate, (interaction) => void routeInteraction(interaction));
  discord.once(Events.ClientReady, (client) => {
    logger.info(
      {
        user: client.user.tag,
        guilds: client.guilds.cache.size,
        shards: client.options.shards,
        shardCount: client.options.shardCount,
      },
      'discord gateway ready',
    );
  });

  const linking = await createTwitchLinking({
    clientId: config.twitch.clientId,
    clientSecret: config.twitch.clientSecret,
    publicUrl: config.publicUrl,
    tokenEncryptionKey: config.tokenEncryptionKey,
    tokenEncryptionOldKeys: config.tokenEncryptionOldKeys,
    mockApiPort: config.twitch.mockApiPort,
    sql: db.sql,
    registry,
    logger,
    onLiveChange: (broadcasterId, isLive) => sync.setLiveState(broadcasterId, isLive),
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
      discord: gatewayReadinessCheck(discord),
      ...(linking ? { twitchTokens: linking.tokensReadiness } : {}),
    },
  });
  if (linking) {
    admin.registerRoutes(twitchAuthRoutes, {
      flow: linking.flow,
      secureCookie: config.publicUrl?.startsWith('https:') ?? false,
    });
  }
  const { url } = await admin.start();
  shutdown.add('admin http', () => admin.stop());
  logger.info({ url }, 'admin server listening');

  shutdown.add('discord gateway', () => discord.destroy());
  await discord.login(config.discord.token);

  sync.start();
  shutdown.add('clip sync', async () => {
    // Abort the steps first, then drop the Helix calls still queued (a backfill may wait on many), so the
    // loops end at once instead of after those calls.
    const stopped = sync.stop();
    await limiter.stop();
    await stopped;
  });
  const notifier = createNotifier({
    db,
    discord: notifyDiscord,
    webhooks: webhookMode,
    logger,
    registry,
  });
  sync.events.on('clipDiscovered', () => notifier.wake());
  sync.events.on('clipUpdated', () => notifier.wake());
  notifier.start();
  shutdown.add('notifier', () => notifier.stop());
  // Daily and weekly digests are queued as messages that the notifier's delivery loop posts.
  const digests = createDigestScheduler({ db, logger, registry });
  digests.start();
  shutdown.add('digest scheduler', () => digests.stop());
  if (linking) {
    await linking.eventSub.start();
    shutdown.add('eventsub', () => linking.eventSub.stop());
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
  // discord.js's Client also reads SHARD_COUNT (and SHARDS) from the environment, meant for the children of
  // its ShardingManager, whenever the options leave the default: `auto` would read as NaN. The configuration
  // has parsed them; the client gets them as options only.
  delete process.env.SHARD_COUNT;
  delete process.env.SHARDS;

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
  // A bug thrown outside any handler leaves the process in an unknown state: log it, stop everything in
  // order (the database is closed cleanly) and exit 1 so the supervisor restarts the bot.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    void stop('uncaught exception', 1);
  });

  try {
    await startBot(config, logger, shutdown);
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await stop('start-up failed', 1);
  }
}

void main();
