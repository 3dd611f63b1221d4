import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Cache } from '../cache/Cache.js';
import type { SearchMetrics } from '../clips/search/searchMetrics.js';
import type { Database } from '../db/Database.js';
import type { GuildService } from '../guilds/GuildService.js';
import type { SubscriptionService } from '../subscriptions/SubscriptionService.js';
import type { ClipSync } from '../sync/ClipSync.js';
import type { TwitchAdapter } from '../twitch/twitchTypes.js';

/** What commands may use. Built once in src/main.ts; commands never open connections themselves. */
export interface CommandDeps {
  db: Database;
  cache: Cache;
  logger: Logger;
  /** Interactive Twitch lookups (channel search, login → id); runs at the limiter's highest priority. */
  twitch: Pick<TwitchAdapter, 'searchChannels' | 'getUserByLogin' | 'getUsersByIds'>;
  /** Searching a channel starts indexing its clips. */
  sync: Pick<ClipSync, 'trackChannel' | 'getChannelSyncStatus'>;
  searchMetrics: SearchMetrics;
  /** Signs search page cursors (findClips); derived from a configured secret in main. */
  cursorSecret?: string;
  /** Twitch account linking; null when the operator has not set PUBLIC_URL and TOKEN_ENCRYPTION_KEY. */
  twitchLinking: { publicUrl: string; tokenEncryptionKey: Buffer } | null;
  /** `/subscriptions`: add, list, pause, resume, remove (per-guild quota inside). */
  subscriptions: SubscriptionService;
  /** `/settings` and the manage permission's manager role. */
  guilds: Pick<GuildService, 'getSettings' | 'updateSettings'>;
}

/** One slash command: a file in commands/ exporting `{ data, execute } satisfies Command`. */
export interface Command {
  /** The registration payload (SlashCommandBuilder#toJSON()). */
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, deps: CommandDeps): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, deps: CommandDeps): Promise<void>;
}
