import dotenv from 'dotenv';
import { z } from 'zod';

/**
 * The bot's configuration, parsed once from the environment by `loadConfig` and passed down from main.
 * Nothing else reads `process.env`.
 */
export interface Config {
  discord: {
    token: string;
    applicationId: string;
    /** Base URL of the Discord REST API, without version (discord.js `rest.api`). */
    apiUrl: string;
    /** When set, commands are deployed to this guild only (instant updates while developing). */
    devGuildId?: string;
    /** How long one Discord REST request may take before @discordjs/rest aborts (and retries) it. */
    restTimeoutMs: number;
    /** The gateway shards this process runs (SHARD_COUNT / SHARD_IDS). */
    sharding: ShardingConfig;
  };
  twitch: {
    clientId: string;
    clientSecret: string;
    /** Informational: twurple reads TWURPLE_MOCK_API_PORT from the environment itself. */
    mockApiPort?: number;
  };
  database: {
    /** PostgreSQL URL; unset means the embedded PGlite database under `dataDir`. */
    url?: string;
    dataDir: string;
  };
  /** Unset means the in-process memory cache. */
  redisUrl?: string;
  /** Bound of the in-process memory cache (used when `redisUrl` is unset), in bytes. */
  memoryCacheMaxBytes: number;
  admin: {
    host: string;
    /** 0 picks a random free port (tests). */
    port: number;
    metricsToken?: string;
  };
  /** Public base URL without a trailing slash, used to build OAuth callback URLs. */
  publicUrl?: string;
  /** 32-byte key for encrypting stored OAuth tokens at rest. */
  tokenEncryptionKey?: Buffer;
  /** Earlier keys, still accepted for decryption until `npm run tokens:rotate` re-encrypts with the current one. */
  tokenEncryptionOldKeys: Buffer[];
  logLevel: LogLevel;
  /** Most subscriptions one guild may have. */
  subscriptionsPerGuild: number;
  /** A tracked channel that no subscription needs and nobody searched for this long stops being polled. */
  trackingIdleMs: number;
}

/**
 * Which Discord gateway shards this process opens. `count: 'auto'` takes Discord's recommended count from
 * GET /gateway/bot and runs every shard of it (one process only: several processes must agree on a number).
 * Without any sharding variable the bot runs shard 0 of 1, discord.js's default.
 */
export type ShardingConfig = { count: 'auto' } | { count: number; ids: readonly number[] };

/** Discord's biggest bots run a few thousand shards; anything beyond this is a typo. */
const MAX_SHARD_COUNT = 100_000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Thrown by `loadConfig`; `message` lists every problem and is meant to be printed as-is. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** One line per problem, e.g. `DISCORD_TOKEN is missing — …`. */
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid configuration (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\nSet these in the environment or in a .env file (see .env.example and docs/configuration.md).',
    );
  }
}

interface VariableHelp {
  /** What the variable is for and where to get it; shown after the dash in error messages. */
  purpose: string;
  /** The rule a present value must satisfy, shown when the value is invalid. */
  rule?: string;
}

const DEV_PORTAL = 'https://discord.com/developers/applications';
const TWITCH_CONSOLE = 'https://dev.twitch.tv/console/apps';

/** Every variable the bot reads. Values are never echoed in errors: several of them are secrets. */
export const CONFIG_VARIABLES = {
  DISCORD_TOKEN: {
    purpose: `the bot token, from ${DEV_PORTAL} → your app → Bot → Reset Token`,
  },
  DISCORD_APPLICATION_ID: {
    purpose: `your application's id, from ${DEV_PORTAL} → your app → General Information → Application ID`,
    rule: 'must be a Discord snowflake: 17–20 digits',
  },
  DISCORD_API_URL: {
    purpose: 'base URL of the Discord REST API without version (default https://discord.com/api)',
    rule: 'must be an http:// or https:// URL',
  },
  DISCORD_REST_TIMEOUT_MS: {
    purpose:
      'milliseconds one Discord REST request may take before it is aborted and retried (default 15000)',
    rule: 'must be an integer from 1000 to 120000',
  },
  DISCORD_DEV_GUILD_ID: {
    purpose:
      'optional guild to deploy commands to while developing; in Discord enable Developer Mode, right-click the server → Copy Server ID',
    rule: 'must be a Discord snowflake: 17–20 digits',
  },
  SHARD_COUNT: {
    purpose:
      'optional total number of Discord gateway shards over all bot processes (the same value in every process), or auto for the count Discord recommends (one process only); unset = one shard',
    rule: `must be an integer from 1 to ${MAX_SHARD_COUNT.toLocaleString('en-US')}, or auto`,
  },
  SHARD_IDS: {
    purpose:
      'optional shards this process runs, e.g. 0,1 or 0-3 or 0-3,8 (each shard in exactly one process); unset = every shard of SHARD_COUNT',
    rule: 'must be comma-separated shard ids or ranges (a-b), each below SHARD_COUNT, which must be set to a number (not auto)',
  },
  TWITCH_CLIENT_ID: {
    purpose: `the Twitch application's Client ID, from ${TWITCH_CONSOLE} → your app → Manage`,
  },
  TWITCH_CLIENT_SECRET: {
    purpose: `the Twitch application's Client Secret, from ${TWITCH_CONSOLE} → your app → Manage → New Secret`,
  },
  TWURPLE_MOCK_API_PORT: {
    purpose: 'optional port of a fake Twitch API for tests and local development (read by twurple itself)',
    rule: 'must be an integer port from 1 to 65535',
  },
  DATABASE_URL: {
    purpose:
      'optional PostgreSQL connection URL; leave unset to use the embedded PGlite database in DATA_DIR',
    rule: 'must be a postgres:// or postgresql:// URL',
  },
  DATA_DIR: {
    purpose: 'directory for local data such as the embedded database (default ./data)',
  },
  REDIS_URL: {
    purpose: 'optional Redis URL for the shared cache; leave unset to use an in-process memory cache',
    rule: 'must be a redis:// or rediss:// URL',
  },
  MEMORY_CACHE_MAX_MB: {
    purpose:
      'most memory, in MiB, the in-process cache (used when REDIS_URL is unset) holds for search pages and paging state before it drops the least recently used (default 32)',
    rule: 'must be an integer from 1 to 4096',
  },
  ADMIN_HOST: {
    purpose:
      'address the admin HTTP server (health, readiness, metrics, OAuth callbacks) listens on (default 127.0.0.1)',
  },
  ADMIN_PORT: {
    purpose: 'port of the admin HTTP server (default 8080; 0 picks a random free port)',
    rule: 'must be an integer port from 0 to 65535',
  },
  METRICS_TOKEN: {
    purpose:
      'optional bearer token required by GET /metrics; generate one with `openssl rand -hex 32` and give it to your Prometheus scraper',
    rule: 'must be at least 16 characters',
  },
  PUBLIC_URL: {
    purpose:
      'optional public base URL of the admin server, used to build Twitch OAuth callback URLs (must match the redirect URL registered in the Twitch console)',
    rule: 'must be an http:// or https:// URL',
  },
  TOKEN_ENCRYPTION_KEY: {
    purpose: 'optional key that encrypts stored Twitch tokens; generate one with `openssl rand -base64 32`',
    rule: 'must be base64 that decodes to exactly 32 bytes',
  },
  TOKEN_ENCRYPTION_OLD_KEYS: {
    purpose:
      'optional comma-separated earlier TOKEN_ENCRYPTION_KEY values, accepted for decryption while `npm run tokens:rotate` re-encrypts with the current key',
    rule: 'must be comma-separated base64 values that each decode to exactly 32 bytes',
  },
  LOG_LEVEL: {
    purpose: 'log verbosity (default info)',
    rule: `must be one of ${LOG_LEVELS.join(', ')}`,
  },
  SUBSCRIPTIONS_PER_GUILD: {
    purpose: 'most clip subscriptions one Discord server may have (default 25)',
    rule: 'must be an integer from 1 to 1000',
  },
  TRACKING_IDLE_DAYS: {
    purpose:
      'a Twitch channel that no subscription needs and nobody searched for this many days stops being polled; its clips stay searchable (default 30)',
    rule: 'must be an integer from 1 to 3650',
  },
} satisfies Record<string, VariableHelp>;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

const SNOWFLAKE = /^\d{17,20}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isKey32(value: string): boolean {
  return BASE64.test(value) && Buffer.from(value, 'base64').length === 32;
}

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

// Messages on individual checks are irrelevant: `describeIssue` builds every message from CONFIG_VARIABLES so
// that the wording is uniform and no value (possibly a secret) is ever repeated back.
const required = z.string().min(1);
const optional = z.string().min(1).optional();
const snowflake = z.string().regex(SNOWFLAKE);
const port = (min: number) =>
  z
    .string()
    .regex(/^\d{1,5}$/)
    .transform(Number)
    .refine((value) => value >= min && value <= 65_535);
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .refine((value) => value >= min && value <= max);
const urlWith = (...protocols: string[]) => z.string().refine((value) => hasProtocol(value, protocols));

/** `0,1`, `0-3`, `0-3,8` → sorted, distinct ids; undefined when the text is not such a list. */
export function parseShardIds(text: string): number[] | undefined {
  const ids = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$/.exec(part);
    if (match === null) return undefined;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first || last >= MAX_SHARD_COUNT) return undefined;
    for (let id = first; id <= last; id += 1) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

const shardCount = z.union([z.literal('auto'), integer(1, MAX_SHARD_COUNT)]);
const shardIds = z.string().transform((text, context) => {
  const ids = parseShardIds(text);
  if (ids === undefined) {
    context.addIssue({ code: 'custom', message: 'not a shard list' });
    return z.NEVER;
  }
  return ids;
});

function shardIdsFitCount(count: unknown, ids: readonly number[] | undefined): boolean {
  if (ids === undefined) return true;
  return typeof count === 'number' && ids.every((id) => id < count);
}

function shardingOf(count: number | 'auto' | undefined, ids: number[] | undefined): ShardingConfig {
  if (count === 'auto') return { count };
  const total = count ?? 1;
  return { count: total, ids: ids ?? Array.from({ length: total }, (_, id) => id) };
}

const envShape = {
  DISCORD_TOKEN: required,
  DISCORD_APPLICATION_ID: snowflake,
  DISCORD_API_URL: urlWith('http:', 'https:').default('https://discord.com/api'),
  DISCORD_DEV_GUILD_ID: snowflake.optional(),
  DISCORD_REST_TIMEOUT_MS: integer(1000, 120_000).default(15_000),
  SHARD_COUNT: shardCount.optional(),
  SHARD_IDS: shardIds.optional(),
  TWITCH_CLIENT_ID: required,
  TWITCH_CLIENT_SECRET: required,
  TWURPLE_MOCK_API_PORT: port(1).optional(),
  DATABASE_URL: urlWith('postgres:', 'postgresql:').optional(),
  DATA_DIR: optional.default('./data'),
  REDIS_URL: urlWith('redis:', 'rediss:').optional(),
  MEMORY_CACHE_MAX_MB: integer(1, 4096).default(32),
  ADMIN_HOST: optional.default('127.0.0.1'),
  ADMIN_PORT: port(0).default(8080),
  METRICS_TOKEN: z.string().min(16).optional(),
  PUBLIC_URL: urlWith('http:', 'https:').optional(),
  TOKEN_ENCRYPTION_KEY: z.string().refine(isKey32).optional(),
  TOKEN_ENCRYPTION_OLD_KEYS: z
    .string()
    .refine((value) => value.split(',').every((key) => isKey32(key.trim())))
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SUBSCRIPTIONS_PER_GUILD: integer(1, 1000).default(25),
  TRACKING_IDLE_DAYS: integer(1, 3650).default(30),
} satisfies Record<ConfigVariable, z.ZodType>;

const envSchema = z
  .object(envShape)
  // SHARD_IDS only means something against a known, numeric SHARD_COUNT that every process shares. Checked
  // even when other variables are invalid (`when`), so one run reports every problem.
  .refine((env) => shardIdsFitCount(env.SHARD_COUNT, env.SHARD_IDS), {
    path: ['SHARD_IDS'],
    when: (payload) => {
      const value = payload.value as { SHARD_IDS?: unknown };
      return Array.isArray(value.SHARD_IDS);
    },
  })
  .transform((env): Config => ({
    discord: {
      token: env.DISCORD_TOKEN,
      applicationId: env.DISCORD_APPLICATION_ID,
      apiUrl: env.DISCORD_API_URL.replace(/\/+$/, ''),
      devGuildId: env.DISCORD_DEV_GUILD_ID,
      restTimeoutMs: env.DISCORD_REST_TIMEOUT_MS,
      sharding: shardingOf(env.SHARD_COUNT, env.SHARD_IDS),
    },
    twitch: {
      clientId: env.TWITCH_CLIENT_ID,
      clientSecret: env.TWITCH_CLIENT_SECRET,
      mockApiPort: env.TWURPLE_MOCK_API_PORT,
    },
    database: { url: env.DATABASE_URL, dataDir: env.DATA_DIR },
    redisUrl: env.REDIS_URL,
    memoryCacheMaxBytes: env.MEMORY_CACHE_MAX_MB * 1024 * 1024,
    admin: { host: env.ADMIN_HOST, port: env.ADMIN_PORT, metricsToken: env.METRICS_TOKEN },
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    tokenEncryptionKey:
      env.TOKEN_ENCRYPTION_KEY === undefined ? undefined : Buffer.from(env.TOKEN_ENCRYPTION_KEY, 'base64'),
    tokenEncryptionOldKeys: parseKeyList(env.TOKEN_ENCRYPTION_OLD_KEYS),
    logLevel: env.LOG_LEVEL,
    subscriptionsPerGuild: env.SUBSCRIPTIONS_PER_GUILD,
    trackingIdleMs: env.TRACKING_IDLE_DAYS * 86_400_000,
  }));

/** What `npm run db:migrate` needs: no Discord or Twitch credentials. */
export interface DatabaseCommandConfig {
  database: Config['database'];
  logLevel: LogLevel;
}

const databaseEnvSchema = z
  .object({ DATABASE_URL: envShape.DATABASE_URL, DATA_DIR: envShape.DATA_DIR, LOG_LEVEL: envShape.LOG_LEVEL })
  .transform((env): DatabaseCommandConfig => ({
    database: { url: env.DATABASE_URL, dataDir: env.DATA_DIR },
    logLevel: env.LOG_LEVEL,
  }));

/** What `npm run tokens:rotate` needs: the database and the token keys, no Discord or Twitch credentials. */
export interface TokenRotationConfig extends DatabaseCommandConfig {
  tokenEncryptionKey: Buffer;
  tokenEncryptionOldKeys: Buffer[];
}

const tokenRotationEnvSchema = z
  .object({
    DATABASE_URL: envShape.DATABASE_URL,
    DATA_DIR: envShape.DATA_DIR,
    LOG_LEVEL: envShape.LOG_LEVEL,
    TOKEN_ENCRYPTION_KEY: envShape.TOKEN_ENCRYPTION_KEY.unwrap(),
    TOKEN_ENCRYPTION_OLD_KEYS: envShape.TOKEN_ENCRYPTION_OLD_KEYS,
  })
  .transform((env): TokenRotationConfig => ({
    database: { url: env.DATABASE_URL, dataDir: env.DATA_DIR },
    logLevel: env.LOG_LEVEL,
    tokenEncryptionKey: Buffer.from(env.TOKEN_ENCRYPTION_KEY, 'base64'),
    tokenEncryptionOldKeys: parseKeyList(env.TOKEN_ENCRYPTION_OLD_KEYS),
  }));

function parseKeyList(value: string | undefined): Buffer[] {
  return (value?.split(',') ?? []).map((key) => Buffer.from(key.trim(), 'base64'));
}

function describeIssue(name: ConfigVariable, present: boolean): string {
  const help: VariableHelp = CONFIG_VARIABLES[name];
  if (!present) return `${name} is missing — ${help.purpose}`;
  return `${name} is invalid${help.rule ? ` (${help.rule})` : ''} — ${help.purpose}`;
}

/**
 * Validates the environment and returns the typed configuration. Blank values count as unset, so an empty
 * `DATABASE_URL=` line in .env selects the default. Throws `ConfigError` listing every problem at once.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  return parseEnv(envSchema, env);
}

/** Validates only the database variables, with the same rules and messages as `loadConfig`. */
export function loadDatabaseCommandConfig(env: Record<string, string | undefined>): DatabaseCommandConfig {
  return parseEnv(databaseEnvSchema, env);
}

/** Validates the variables of `npm run tokens:rotate` (TOKEN_ENCRYPTION_KEY is required there). */
export function loadTokenRotationConfig(env: Record<string, string | undefined>): TokenRotationConfig {
  return parseEnv(tokenRotationEnvSchema, env);
}

function parseEnv<T>(schema: z.ZodType<T>, env: Record<string, string | undefined>): T {
  const input: Partial<Record<ConfigVariable, string>> = {};
  for (const name of Object.keys(CONFIG_VARIABLES) as ConfigVariable[]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const problems = new Map<ConfigVariable, string>();
  for (const issue of result.error.issues) {
    const name = issue.path[0] as ConfigVariable | undefined;
    if (name === undefined || problems.has(name)) continue;
    problems.set(name, describeIssue(name, input[name] !== undefined));
  }
  // Report in the documented order, not zod's, so the output is stable and reads like .env.example.
  const ordered = (Object.keys(CONFIG_VARIABLES) as ConfigVariable[]).flatMap(
    (name) => problems.get(name) ?? [],
  );
  throw new ConfigError(ordered);
}

/**
 * Every secret value in the configuration, for `createLogger({ secrets })`: the logger then removes these
 * exact strings from any output, whatever field or message they end up in.
 */
export function configSecrets(config: Config): string[] {
  const urlPasswords = [config.database.url, config.redisUrl].flatMap((value) => {
    if (!value) return [];
    const password = new URL(value).password;
    return password ? [password, decodeURIComponent(password)] : [];
  });
  return [
    config.discord.token,
    config.twitch.clientSecret,
    ...(config.admin.metricsToken ? [config.admin.metricsToken] : []),
    ...[config.tokenEncryptionKey, ...config.tokenEncryptionOldKeys].flatMap((key) =>
      key ? [key.toString('base64')] : [],
    ),
    ...urlPasswords,
  ];
}

/**
 * Loads `.env` (or `path`) into `process.env` if the file exists. Variables already set in the real
 * environment win, so deployments can override a checked-out .env. Returns whether a file was loaded.
 */
export function loadDotEnv(path = '.env'): boolean {
  const result = dotenv.config({ path, quiet: true, override: false });
  return result.error === undefined;
}
