import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  ConfigError,
  configSecrets,
  loadConfig,
  loadDotEnv,
  loadDatabaseCommandConfig,
} from './config.js';

const SECRET_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
const SECRET_TWITCH = 'twitch-secret-value-1234567890';
const KEY = Buffer.alloc(32, 7).toString('base64');

const minimal = {
  DISCORD_TOKEN: SECRET_TOKEN,
  DISCORD_APPLICATION_ID: '123456789012345678',
  TWITCH_CLIENT_ID: 'abc123clientid',
  TWITCH_CLIENT_SECRET: SECRET_TWITCH,
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

function messageOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies every default when only the required variables are set', () => {
    const config = loadConfig(minimal);
    expect(config).toEqual({
      discord: {
        token: SECRET_TOKEN,
        applicationId: '123456789012345678',
        apiUrl: 'https://discord.com/api',
        devGuildId: undefined,
        restTimeoutMs: 15_000,
        sharding: { count: 1, ids: [0] },
      },
      twitch: { clientId: 'abc123clientid', clientSecret: SECRET_TWITCH, mockApiPort: undefined },
      database: { url: undefined, dataDir: './data' },
      redisUrl: undefined,
      admin: { host: '127.0.0.1', port: 8080, metricsToken: undefined },
      publicUrl: undefined,
      tokenEncryptionKey: undefined,
      tokenEncryptionOldKeys: [],
      logLevel: 'info',
      subscriptionsPerGuild: 25,
      trackingIdleMs: 30 * 86_400_000,
      memoryCacheMaxBytes: 32 * 1024 * 1024,
    });
  });

  it('maps every optional variable into the typed shape', () => {
    const config = loadConfig({
      ...minimal,
      DISCORD_API_URL: 'http://127.0.0.1:4000/api/',
      DISCORD_DEV_GUILD_ID: '98765432109876543',
      TWURPLE_MOCK_API_PORT: '4001',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/bot',
      DATA_DIR: '/var/lib/tcs',
      REDIS_URL: 'rediss://:pw@redis.example:6380/2',
      ADMIN_HOST: '0.0.0.0',
      ADMIN_PORT: '0',
      METRICS_TOKEN: 'a-very-long-metrics-token',
      PUBLIC_URL: 'https://bot.example.com/',
      TOKEN_ENCRYPTION_KEY: KEY,
      TOKEN_ENCRYPTION_OLD_KEYS: ` ${Buffer.alloc(32, 8).toString('base64')}, ${Buffer.alloc(32, 9).toString('base64')}`,
      LOG_LEVEL: 'debug',
      SUBSCRIPTIONS_PER_GUILD: '3',
      TRACKING_IDLE_DAYS: '7',
      DISCORD_REST_TIMEOUT_MS: '4000',
      MEMORY_CACHE_MAX_MB: '8',
    });
    expect(config.discord.restTimeoutMs).toBe(4000);
    expect(config.memoryCacheMaxBytes).toBe(8 * 1024 * 1024);
    expect(config.subscriptionsPerGuild).toBe(3);
    expect(config.trackingIdleMs).toBe(7 * 86_400_000);
    expect(config.discord.apiUrl).toBe('http://127.0.0.1:4000/api');
    expect(config.discord.devGuildId).toBe('98765432109876543');
    expect(config.twitch.mockApiPort).toBe(4001);
    expect(config.database).toEqual({
      url: 'postgresql://postgres@127.0.0.1:5432/bot',
      dataDir: '/var/lib/tcs',
    });
    expect(config.redisUrl).toBe('rediss://:pw@redis.example:6380/2');
    expect(config.admin).toEqual({ host: '0.0.0.0', port: 0, metricsToken: 'a-very-long-metrics-token' });
    expect(config.publicUrl).toBe('https://bot.example.com');
    expect(config.tokenEncryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(config.tokenEncryptionOldKeys).toEqual([Buffer.alloc(32, 8), Buffer.alloc(32, 9)]);
    expect(config.logLevel).toBe('debug');
  });

  it('refuses a REST timeout, subscription quota, idle time or cache bound that is not a whole number in range', () => {
    expect(
      problemsOf({
        ...minimal,
        DISCORD_REST_TIMEOUT_MS: '500',
        SUBSCRIPTIONS_PER_GUILD: '0',
        TRACKING_IDLE_DAYS: '1.5',
        MEMORY_CACHE_MAX_MB: '0',
      }),
    ).toEqual([
      expect.stringMatching(/^DISCORD_REST_TIMEOUT_MS is invalid \(must be an integer from 1000 to 120000\)/),
      expect.stringMatching(/^MEMORY_CACHE_MAX_MB is invalid \(must be an integer from 1 to 4096\)/),
      expect.stringMatching(/^SUBSCRIPTIONS_PER_GUILD is invalid \(must be an integer from 1 to 1000\)/),
      expect.stringMatching(/^TRACKING_IDLE_DAYS is invalid \(must be an integer from 1 to 3650\)/),
    ]);
  });

  it('runs every shard of SHARD_COUNT unless SHARD_IDS names the share of this process', () => {
    expect(loadConfig({ ...minimal, SHARD_COUNT: '4' }).discord.sharding).toEqual({
      count: 4,
      ids: [0, 1, 2, 3],
    });
    expect(
      loadConfig({ ...minimal, SHARD_COUNT: '16', SHARD_IDS: ' 8-10, 2,9 ,0' }).discord.sharding,
    ).toEqual({
      count: 16,
      ids: [0, 2, 8, 9, 10],
    });
    expect(loadConfig({ ...minimal, SHARD_COUNT: '2', SHARD_IDS: '1' }).discord.sharding).toEqual({
      count: 2,
      ids: [1],
    });
    expect(loadConfig({ ...minimal, SHARD_COUNT: 'auto' }).discord.sharding).toEqual({ count: 'auto' });
  });

  it('refuses a shard count out of range and shard ids that are malformed or beyond the count', () => {
    const countRule = /^SHARD_COUNT is invalid \(must be an integer from 1 to 100,000, or auto\)/;
    const idsRule =
      /^SHARD_IDS is invalid \(must be comma-separated shard ids or ranges \(a-b\), each below SHARD_COUNT/;
    for (const count of ['0', '-1', '1.5', 'two', '100001', 'AUTO']) {
      expect(problemsOf({ ...minimal, SHARD_COUNT: count }), count).toEqual([
        expect.stringMatching(countRule),
      ]);
    }
    for (const ids of ['2', '0,2', '1-3', '3-1', 'a', '0,,1', '0-', '-1']) {
      expect(problemsOf({ ...minimal, SHARD_COUNT: '2', SHARD_IDS: ids }), ids).toEqual([
        expect.stringMatching(idsRule),
      ]);
    }
  });

  it('refuses SHARD_IDS without a numeric SHARD_COUNT, even among other problems', () => {
    const idsRule = /^SHARD_IDS is invalid/;
    expect(problemsOf({ ...minimal, SHARD_IDS: '0' })).toEqual([expect.stringMatching(idsRule)]);
    // With auto, processes could each see another recommended count and split the guilds differently.
    expect(problemsOf({ ...minimal, SHARD_COUNT: 'auto', SHARD_IDS: '0' })).toEqual([
      expect.stringMatching(idsRule),
    ]);
    expect(problemsOf({ ...minimal, DISCORD_TOKEN: '', SHARD_COUNT: '2', SHARD_IDS: '5' })).toEqual([
      expect.stringMatching(/^DISCORD_TOKEN is missing/),
      expect.stringMatching(idsRule),
    ]);
  });

  it('accepts postgres:// as well as postgresql:// and redis:// as well as rediss://', () => {
    expect(loadConfig({ ...minimal, DATABASE_URL: 'postgres://u@h/db' }).database.url).toBe(
      'postgres://u@h/db',
    );
    expect(loadConfig({ ...minimal, REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
  });

  it('treats blank values as unset so an empty line in .env selects the default', () => {
    const config = loadConfig({
      ...minimal,
      DATABASE_URL: '',
      REDIS_URL: '  ',
      ADMIN_PORT: '',
      LOG_LEVEL: '',
    });
    expect(config.database.url).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.admin.port).toBe(8080);
    expect(config.logLevel).toBe('info');
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ ...minimal, PATH: '/usr/bin', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('lists every missing required variable with its purpose and where to get it', () => {
    expect(problemsOf({})).toEqual([
      'DISCORD_TOKEN is missing — the bot token, from https://discord.com/developers/applications → your app → Bot → Reset Token',
      "DISCORD_APPLICATION_ID is missing — your application's id, from https://discord.com/developers/applications → your app → General Information → Application ID",
      "TWITCH_CLIENT_ID is missing — the Twitch application's Client ID, from https://dev.twitch.tv/console/apps → your app → Manage",
      "TWITCH_CLIENT_SECRET is missing — the Twitch application's Client Secret, from https://dev.twitch.tv/console/apps → your app → Manage → New Secret",
    ]);
  });

  it('formats the whole error message for printing as-is', () => {
    expect(messageOf({ ...minimal, DISCORD_TOKEN: undefined, LOG_LEVEL: 'loud' })).toBe(
      [
        'Invalid configuration (2 problems):',
        '  - DISCORD_TOKEN is missing — the bot token, from https://discord.com/developers/applications → your app → Bot → Reset Token',
        '  - LOG_LEVEL is invalid (must be one of fatal, error, warn, info, debug, trace, silent) — log verbosity (default info)',
        'Set these in the environment or in a .env file (see .env.example and docs/configuration.md).',
      ].join('\n'),
    );
    expect(messageOf({ ...minimal, ADMIN_PORT: 'x' })).toMatch(/^Invalid configuration \(1 problem\):\n/);
  });

  it.each([
    ['DISCORD_APPLICATION_ID', '1234', 'must be a Discord snowflake: 17–20 digits'],
    ['DISCORD_APPLICATION_ID', '123456789012345678901', 'must be a Discord snowflake: 17–20 digits'],
    ['DISCORD_APPLICATION_ID', '12345678901234567a', 'must be a Discord snowflake: 17–20 digits'],
    ['DISCORD_DEV_GUILD_ID', 'my-guild', 'must be a Discord snowflake: 17–20 digits'],
    ['DISCORD_API_URL', 'discord.com/api', 'must be an http:// or https:// URL'],
    ['DISCORD_API_URL', 'ftp://discord.com/api', 'must be an http:// or https:// URL'],
    ['TWURPLE_MOCK_API_PORT', '0', 'must be an integer port from 1 to 65535'],
    ['TWURPLE_MOCK_API_PORT', '70000', 'must be an integer port from 1 to 65535'],
    ['DATABASE_URL', 'mysql://u@h/db', 'must be a postgres:// or postgresql:// URL'],
    ['DATABASE_URL', 'not a url', 'must be a postgres:// or postgresql:// URL'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'must be a redis:// or rediss:// URL'],
    ['ADMIN_PORT', '-1', 'must be an integer port from 0 to 65535'],
    ['ADMIN_PORT', '80.5', 'must be an integer port from 0 to 65535'],
    ['ADMIN_PORT', '65536', 'must be an integer port from 0 to 65535'],
    ['METRICS_TOKEN', 'short', 'must be at least 16 characters'],
    ['PUBLIC_URL', 'bot.example.com', 'must be an http:// or https:// URL'],
    [
      'TOKEN_ENCRYPTION_KEY',
      Buffer.alloc(16).toString('base64'),
      'must be base64 that decodes to exactly 32 bytes',
    ],
    ['TOKEN_ENCRYPTION_KEY', '!'.repeat(44), 'must be base64 that decodes to exactly 32 bytes'],
    [
      'TOKEN_ENCRYPTION_OLD_KEYS',
      `${Buffer.alloc(32).toString('base64')},${Buffer.alloc(16).toString('base64')}`,
      'must be comma-separated base64 values that each decode to exactly 32 bytes',
    ],
    ['LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
  ])('rejects %s=%j with the rule it breaks', (name, value, rule) => {
    const problems = problemsOf({ ...minimal, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^${name} is invalid \\(${rule.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) — `),
    );
  });

  it('reports missing and invalid variables together, in documented order', () => {
    const problems = problemsOf({ LOG_LEVEL: 'nope', ADMIN_PORT: 'http', TWITCH_CLIENT_ID: 'x' });
    expect(problems.map((problem) => problem.split(' ')[0] + ' ' + problem.split(' ')[2])).toEqual([
      'DISCORD_TOKEN missing',
      'DISCORD_APPLICATION_ID missing',
      'TWITCH_CLIENT_SECRET missing',
      'ADMIN_PORT invalid',
      'LOG_LEVEL invalid',
    ]);
  });

  it('never echoes a rejected value, secret or not', () => {
    const secretUrl = 'redis-with-password://:hunter2hunter2@cache:6379';
    const message = messageOf({
      ...minimal,
      DISCORD_APPLICATION_ID: 'leaky-value-1',
      REDIS_URL: secretUrl,
      METRICS_TOKEN: 'tiny-secret',
      TOKEN_ENCRYPTION_KEY: 'c2VjcmV0LWtleS10b28tc2hvcnQ=',
    });
    for (const leaked of [
      'leaky-value-1',
      'hunter2',
      'tiny-secret',
      'c2VjcmV0',
      SECRET_TOKEN,
      SECRET_TWITCH,
    ]) {
      expect(message).not.toContain(leaked);
    }
    expect(message).toContain('REDIS_URL is invalid');
  });
});

describe('configSecrets', () => {
  it('lists every secret value, including passwords inside connection URLs', () => {
    const config = loadConfig({
      ...minimal,
      DATABASE_URL: 'postgresql://bot:p%40ss-word-123@db:5432/tcs',
      REDIS_URL: 'rediss://:redis-password-456@cache:6380',
      METRICS_TOKEN: 'metrics-token-0123456789',
      TOKEN_ENCRYPTION_KEY: KEY,
    });
    expect(configSecrets(config)).toEqual([
      SECRET_TOKEN,
      SECRET_TWITCH,
      'metrics-token-0123456789',
      KEY,
      'p%40ss-word-123',
      'p@ss-word-123',
      'redis-password-456',
      'redis-password-456',
    ]);
  });
});

describe('loadDotEnv', () => {
  const saved = { ...process.env };
  let dir: string | undefined;

  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, saved);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads a .env file without overriding variables already set in the real environment', () => {
    dir = mkdtempSync(join(tmpdir(), 'tcs-dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'TCS_TEST_FROM_FILE=file\nTCS_TEST_ALREADY_SET=file\n');
    process.env.TCS_TEST_ALREADY_SET = 'real';
    expect(loadDotEnv(file)).toBe(true);
    expect(process.env.TCS_TEST_FROM_FILE).toBe('file');
    expect(process.env.TCS_TEST_ALREADY_SET).toBe('real');
  });

  it('reports false and changes nothing when the file does not exist', () => {
    const before = { ...process.env };
    expect(loadDotEnv('/nonexistent/tcs/.env')).toBe(false);
    expect(process.env).toEqual(before);
  });
});

describe('the documentation of the configuration', () => {
  const root = new URL('../../', import.meta.url);
  const envExample = readFileSync(new URL('.env.example', root), 'utf8');
  const docs = readFileSync(new URL('docs/configuration.md', root), 'utf8');

  it('lists every variable in .env.example and docs/configuration.md', () => {
    for (const name of Object.keys(CONFIG_VARIABLES)) {
      expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
      expect(docs).toContain(`| \`${name}\` |`);
    }
  });

  it('ships a .env.example that becomes valid once the required values are filled in', () => {
    const example = dotenv.parse(envExample);
    expect(() => loadConfig(example)).toThrow(ConfigError);
    expect(() => loadConfig({ ...example, ...minimal })).not.toThrow();
  });
});

describe('loadDatabaseCommandConfig (npm run db:migrate)', () => {
  it('needs no Discord or Twitch credentials and applies the same defaults', () => {
    expect(loadDatabaseCommandConfig({})).toEqual({
      database: { url: undefined, dataDir: './data' },
      logLevel: 'info',
    });
  });

  it('reports an invalid database URL with the same message as the bot', () => {
    const env = { DATABASE_URL: 'mysql://root@db/clips' };
    expect(() => loadDatabaseCommandConfig(env)).toThrow(ConfigError);
    expect(() => loadDatabaseCommandConfig(env)).toThrow(/DATABASE_URL is invalid \(must be a postgres/);
    expect(() => loadDatabaseCommandConfig(env)).not.toThrow(/DISCORD_TOKEN/);
  });
});
