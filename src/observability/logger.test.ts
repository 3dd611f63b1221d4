import { Writable } from 'node:stream';
import { Client, GatewayIntentBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../config/config.js';
import { createLogger, withComponent } from './logger.js';
import { routeDiscordDiagnostics } from './routeDiscordDiagnostics.js';
import { twurpleLoggerOptions } from './twurpleLoggerOptions.js';

const BOT_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
const TWITCH_TOKEN = 'cfabdegwdoklmawdzdo98xt2fo512y';
const CLIENT_SECRET = 'plainsecretvalue0987654321';

function capture(level: LogLevel = 'trace', secrets: string[] = []) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level, destination, secrets });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createLogger', () => {
  it('writes JSON lines with a level name, an ISO time and the message', () => {
    const { logger, records } = capture('info');
    logger.child({ component: 'test' }).info({ guildId: '1' }, 'hello');
    logger.debug('hidden below the level');
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', component: 'test', guildId: '1', msg: 'hello' }),
    ]);
    expect(records()[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('redacts secret fields by name at the top level, one level down and deeper', () => {
    const { logger, lines, records } = capture();
    logger.info(
      {
        token: BOT_TOKEN,
        discord: { token: BOT_TOKEN, applicationId: '123456789012345678' },
        twitch: { clientSecret: CLIENT_SECRET },
        req: {
          headers: { authorization: `Bearer ${TWITCH_TOKEN}`, cookie: 'session=abc' },
          query: { code: 'c0de' },
        },
        deep: { nested: { account: { accessToken: TWITCH_TOKEN, refreshToken: TWITCH_TOKEN } } },
        err: { code: 'ECONNREFUSED' },
      },
      'config loaded',
    );
    const [record] = records();
    expect(record).toMatchObject({
      token: '[REDACTED]',
      discord: { token: '[REDACTED]', applicationId: '123456789012345678' },
      twitch: { clientSecret: '[REDACTED]' },
      req: { headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' }, query: { code: '[REDACTED]' } },
      deep: { nested: { account: { accessToken: '[REDACTED]', refreshToken: '[REDACTED]' } } },
      err: { code: 'ECONNREFUSED' },
    });
    const output = lines.join('\n');
    for (const secret of [BOT_TOKEN, TWITCH_TOKEN, CLIENT_SECRET, 'c0de', 'session=abc']) {
      expect(output).not.toContain(secret);
    }
  });

  it('scrubs secrets embedded in messages, error messages and stacks', () => {
    const { logger, lines } = capture();
    const error = new Error(`request to https://id.twitch.tv/oauth2/token?code=${TWITCH_TOKEN} failed`);
    logger.error({ err: error }, `retrying with Authorization: Bot ${BOT_TOKEN}`);
    logger.warn(`callback hit: /auth/twitch/callback?code=${TWITCH_TOKEN}&state=x`);
    const output = lines.join('\n');
    expect(output).not.toContain(TWITCH_TOKEN);
    expect(output).not.toContain(BOT_TOKEN);
    expect(output).toContain('code=[REDACTED]');
    expect(output).toContain('Bot [REDACTED]');
  });

  it('never writes a configured secret, even in a field it has no rule for', () => {
    const { logger, lines } = capture('trace', [CLIENT_SECRET]);
    logger.info({ misc: { innocentLookingField: CLIENT_SECRET } }, `and in the message ${CLIENT_SECRET}`);
    expect(lines.join('\n')).not.toContain(CLIENT_SECRET);
    expect(lines).toHaveLength(1);
  });
});

describe('routeDiscordDiagnostics', () => {
  it('routes client and REST diagnostics into the logger, scrubbed, and detaches on request', () => {
    const { logger, records, lines } = capture('debug');
    const client = new Client({ intents: [GatewayIntentBits.Guilds] });
    const detach = routeDiscordDiagnostics(client, logger);

    client.emit('debug', `[WS => Shard 0] Provided token: ${BOT_TOKEN}`);
    client.emit('warn', 'something odd');
    client.emit('error', new Error(`socket closed for Bot ${BOT_TOKEN}`));
    client.rest.emit('rateLimited', {
      global: false,
      hash: 'h',
      limit: 5,
      majorParameter: '123456789012345678',
      method: 'POST',
      retryAfter: 1200,
      route: '/channels/:id/messages',
      scope: 'user',
      sublimitTimeout: 0,
      timeToReset: 1200,
      url: `https://discord.com/api/v10/webhooks/123456789012345678/${TWITCH_TOKEN}abcdef`,
    });
    client.rest.emit('invalidRequestWarning', { count: 1000, remainingTime: 60_000 });

    expect(records().map((record) => [record.level, record.component])).toEqual([
      ['debug', 'discord'],
      ['warn', 'discord'],
      ['error', 'discord'],
      ['info', 'discord'],
      ['warn', 'discord'],
    ]);
    expect(records()[3]).toMatchObject({
      route: '/channels/:id/messages',
      retryAfterMs: 1200,
      scope: 'user',
    });
    expect(lines.join('\n')).not.toContain(BOT_TOKEN);
    expect(lines.join('\n')).not.toContain(TWITCH_TOKEN);

    detach();
    client.emit('warn', 'after detach');
    expect(records()).toHaveLength(5);
    void client.destroy();
  });
});

describe('twurpleLoggerOptions', () => {
  it('maps twurple levels onto pino levels and scrubs the text', () => {
    const { logger, records } = capture('debug');
    const options = twurpleLoggerOptions(logger);
    expect(options.minLevel).toBe('debug');
    const custom = options.custom as (level: number, message: string) => void;
    custom(0, 'critical thing');
    custom(1, 'error thing');
    custom(2, 'warning thing');
    custom(3, `info GET /helix/users?access_token=${TWITCH_TOKEN}`);
    custom(4, 'debug thing');
    custom(7, 'trace thing is below the level');
    expect(records().map((record) => [record.level, record.component, record.library, record.msg])).toEqual([
      ['error', 'twitch', 'twurple', 'critical thing'],
      ['error', 'twitch', 'twurple', 'error thing'],
      ['warn', 'twitch', 'twurple', 'warning thing'],
      ['info', 'twitch', 'twurple', 'info GET /helix/users?access_token=[REDACTED]'],
      ['debug', 'twitch', 'twurple', 'debug thing'],
    ]);
  });

  it('tells twurple the threshold so it filters before formatting', () => {
    expect(twurpleLoggerOptions(capture('warn').logger).minLevel).toBe('warning');
    expect(twurpleLoggerOptions(capture('silent').logger).minLevel).toBe('critical');
  });
});

describe('withComponent', () => {
  it('adds a component once and keeps one the caller already set', () => {
    const { logger, lines } = capture('info');
    withComponent(logger, 'cache').info('a');
    withComponent(logger.child({ component: 'db' }), 'cache').info('b');
    expect(lines[0]).toContain('"component":"cache"');
    expect(lines[1]!.match(/"component"/g)).toHaveLength(1);
    expect(lines[1]).toContain('"component":"db"');
  });
});
