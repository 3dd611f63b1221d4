import { Client, GatewayIntentBits, Options, type ClientOptions, type WebSocketOptions } from 'discord.js';
import type { ShardingConfig } from '../config/config.js';

export interface DiscordClientOptions {
  /** REST base, e.g. https://discord.com/api (production) or http://127.0.0.1:P/api (the fake). */
  apiUrl: string;
  /** Per-request timeout of @discordjs/rest (its default is 15 s); a request that times out is retried. */
  restTimeoutMs?: number;
  /** The gateway shards this process runs (default: shard 0 of 1). */
  sharding?: ShardingConfig;
  /** Spaces IDENTIFYs across processes (`sharedIdentifyThrottler`); default: @discordjs/ws's, per process. */
  buildIdentifyThrottler?: WebSocketOptions['buildIdentifyThrottler'];
}

/**
 * The bot's gateway + REST client. Slash commands, autocomplete and buttons arrive as interactions, which
 * need no privileged intent; `Guilds` alone keeps channel and permission caches for subscriptions. Message
 * content, members and presences are never requested.
 */
export function createDiscordClient(options: DiscordClientOptions): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    ...shardOptions(options.sharding ?? { count: 1, ids: [0] }),
    ...(options.buildIdentifyThrottler
      ? { ws: { buildIdentifyThrottler: options.buildIdentifyThrottler } }
      : {}),
    // invalidRequestWarningInterval: warn (logged by routeDiscordDiagnostics) long before Discord's limit of
    // 10,000 invalid requests per 10 minutes would get the bot temporarily banned.
    rest: {
      api: options.apiUrl,
      version: '10',
      invalidRequestWarningInterval: 500,
      ...(options.restTimeoutMs === undefined ? {} : { timeout: options.restTimeoutMs }),
    },
    // Clip titles are user-written: never let one ping @everyone, a role or a user.
    allowedMentions: { parse: [], repliedUser: false },
    // Only guilds and channels are used; do not hold every message, member and user the gateway mentions.
    // Users grow with every member who ever runs a command (each interaction carries its user), so they are
    // not cached either; the bot's own user is kept, as discord.js needs it.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
      MessageManager: 0,
      GuildMemberManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
    }),
  });
}

/**
 * discord.js's own sharding options: `shards` (this process's ids, or 'auto' for every recommended shard) and
 * `shardCount` (the total over all processes, which IDENTIFY sends as `[shard_id, num_shards]`).
 */
function shardOptions(sharding: ShardingConfig): Pick<ClientOptions, 'shards' | 'shardCount'> {
  if (sharding.count === 'auto') return { shards: 'auto' };
  return { shards: [...sharding.ids], shardCount: sharding.count };
}
