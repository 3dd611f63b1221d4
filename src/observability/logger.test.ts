import { DiscordAPIError } from '@discordjs/rest';
import { describe, expect, it } from 'vitest';
import { captureLogs as capture } from '../../test/support/captureLogs.js';
import { createTwitchLinkUrl } from '../twitch/linking/linkUrl.js';
import { withComponent } from './withComponent.js';

const BOT_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
const TWITCH_TOKEN = 'cfabdegwdoklmawdzdo98xt2fo512y';
const CLIENT_SECRET = 'plainsecretvalue0987654321';

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

  it('keeps the signed /twitch link URL out of a logged Discord API error that quotes the reply', () => {
    const { logger, lines } = capture();
    const url = createTwitchLinkUrl({
      publicUrl: 'https://bot.example',
      tokenEncryptionKey: Buffer.alloc(32, 7),
      discordUserId: '123456789012345678',
      now: new Date(),
    });
    const signed = new URL(url).searchParams.get('link')!;
    const reply = { embeds: [{ url, description: `[Open this link](${url}) within 30 minutes` }], flags: 64 };
    const error = new DiscordAPIError(
      { code: 50035, message: 'Invalid Form Body' },
      50035,
      400,
      'POST',
      'https://discord.com/api/v10/interactions/123456789012345678/token/callback',
      { body: { type: 4, data: reply } },
    );
    logger.error({ err: error }, 'interaction reply failed');
    const output = lines.join('\n');
    expect(output).toContain('link=[REDACTED]');
    expect(output).not.toContain(signed.split('.')[1]!);
    expect(output).not.toContain(encodeURIComponent(signed));
  });

  it('does not redact ordinary words that happen to equal a short configured password', () => {
    const { logger, records } = capture('trace', ['postgres']);
    logger.info({ backend: 'postgres', database: { password: 'postgres' } }, 'database ready');
    expect(records()[0]).toMatchObject({ backend: 'postgres', database: { password: '[REDACTED]' } });
  });

  it('never writes a configured secret, even in a field it has no rule for', () => {
    const { logger, lines } = capture('trace', [CLIENT_SECRET]);
    logger.info({ misc: { innocentLookingField: CLIENT_SECRET } }, `and in the message ${CLIENT_SECRET}`);
    expect(lines.join('\n')).not.toContain(CLIENT_SECRET);
    expect(lines).toHaveLength(1);
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
