// No Docker engine here: this test checks what can go wrong in deploy/docker-compose.yml without one. The
// file must parse, every variable it gives the bot must be one the bot's configuration knows (a misspelt
// name would be silently ignored at run time), and every service needs a health check and a restart policy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig, parseShardIds } from '../../src/config/config.js';
import { PROJECT_ROOT } from '../support/botProcess.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  env_file?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  ports?: string[];
}

const composePath = path.join(PROJECT_ROOT, 'deploy', 'docker-compose.yml');
const text = readFileSync(composePath, 'utf8');
// `merge: true` resolves the `<<: *bot` keys the way docker compose does.
const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const botServices = Object.entries(services).filter(([, service]) => service.build !== undefined);

/** Stand-ins for what deploy/.env provides, so a service's environment can go through the real parser. */
const REQUIRED_FOR_PARSING = {
  DISCORD_TOKEN: 'token-from-deploy-env',
  DISCORD_APPLICATION_ID: '123456789012345678',
  TWITCH_CLIENT_ID: 'client-id',
  TWITCH_CLIENT_SECRET: 'client-secret',
  METRICS_TOKEN: 'a-metrics-token-of-some-length',
};

/** Variables that are not the bot's configuration but that Node or the images define. */
const STANDARD_BOT_VARIABLES = new Set(['NODE_ENV', 'TZ', 'NODE_OPTIONS']);
/** The official postgres image's variables, and what compose interpolates to fill them. */
const POSTGRES_IMAGE_VARIABLES = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);

describe('deploy/docker-compose.yml', () => {
  it('runs PostgreSQL, Redis and two bot processes built from the repository Dockerfile', () => {
    expect(services.postgres?.image).toMatch(/^postgres:\d+/);
    expect(services.redis?.image).toMatch(/^redis:\d+/);
    expect(botServices.map(([name]) => name).sort()).toEqual(['bot', 'bot-2']);
    for (const [, bot] of botServices) {
      expect(bot.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
      expect(bot.env_file).toEqual(['.env']);
      expect(bot.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('gives the bots only variables the configuration schema knows, pointing at the compose services', () => {
    for (const [name, bot] of botServices) {
      for (const variable of Object.keys(bot.environment ?? {})) {
        const known = variable in CONFIG_VARIABLES || STANDARD_BOT_VARIABLES.has(variable);
        expect(known, `${name} sets ${variable}, which the bot does not read`).toBe(true);
      }
      expect(bot.environment?.DATABASE_URL).toMatch(
        /^postgresql:\/\/tcs:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/tcs$/,
      );
      expect(bot.environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(bot.environment?.ADMIN_HOST).toBe('0.0.0.0');
    }
  });

  it('interpolates only configuration variables and the postgres image settings', () => {
    const interpolated = [...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!);
    expect(interpolated.length).toBeGreaterThan(0);
    for (const variable of interpolated) {
      expect(variable in CONFIG_VARIABLES || POSTGRES_IMAGE_VARIABLES.has(variable), variable).toBe(true);
    }
    expect(
      Object.keys(services.postgres?.environment ?? {}).every((v) => POSTGRES_IMAGE_VARIABLES.has(v)),
    ).toBe(true);
  });

  it('splits the Discord shards between the bot processes: one count, every shard in exactly one process', () => {
    const counts = botServices.map(([, bot]) => bot.environment?.SHARD_COUNT);
    expect(new Set(counts).size, 'the same SHARD_COUNT everywhere').toBe(1);
    const shardCount = Number(counts[0]);
    expect(shardCount).toBe(botServices.length);
    const shards = botServices.flatMap(([name, bot]) => {
      const ids = parseShardIds(bot.environment?.SHARD_IDS ?? '');
      expect(ids, `${name} SHARD_IDS`).toBeDefined();
      return ids!;
    });
    expect(shards.sort((a, b) => a - b)).toEqual(Array.from({ length: shardCount }, (_, id) => id));
    // Both run by default: a shard whose process is missing leaves its guilds without answers.
    for (const [, bot] of botServices) expect(bot.profiles).toBeUndefined();
    // And the configuration accepts what each process is given.
    for (const [name, bot] of botServices) {
      const env = {
        ...REQUIRED_FOR_PARSING,
        ...bot.environment,
        DATABASE_URL: 'postgresql://tcs:pw@postgres:5432/tcs',
      };
      expect(loadConfig(env).discord.sharding, name).toMatchObject({ count: shardCount });
    }
  });

  it('gives every service a health check and a restart policy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test?.[0], `${name} healthcheck`).toMatch(/^CMD/);
      expect(service.restart, `${name} restart`).toBe('unless-stopped');
    }
    for (const [, bot] of botServices) {
      expect(bot.healthcheck!.test.join(' ')).toContain('/healthz');
      expect(bot.healthcheck!.test.join(' ')).toContain(`:${bot.environment?.ADMIN_PORT}/`);
    }
  });

  it('publishes the admin servers on the loopback interface only', () => {
    for (const [name, bot] of botServices) {
      expect(bot.ports?.length, name).toBe(1);
      expect(bot.ports![0]).toMatch(/^127\.0\.0\.1:\d+:8080$/);
    }
  });
});
