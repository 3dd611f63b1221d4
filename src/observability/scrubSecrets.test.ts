import { describe, expect, it } from 'vitest';
import { createSecretScrubber, scrubSecrets } from './scrubSecrets.js';

const BOT_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
const TWITCH_TOKEN = 'cfabdegwdoklmawdzdo98xt2fo512y';

describe('scrubSecrets', () => {
  it.each([
    ['a bot authorization header', `Authorization: Bot ${BOT_TOKEN}`],
    ['a bearer authorization header', `Authorization: Bearer ${TWITCH_TOKEN}`],
    ['an OAuth authorization header', `Authorization: OAuth ${TWITCH_TOKEN}`],
    ['a bare Discord bot token', `login failed for token ${BOT_TOKEN}`],
    ['an OAuth code in a callback URL', `GET /auth/twitch/callback?code=${TWITCH_TOKEN}&state=abc`],
    [
      'an access token in a query string',
      `https://id.twitch.tv/oauth2/validate?access_token=${TWITCH_TOKEN}`,
    ],
    [
      'a client secret in a form body',
      `client_id=abc&client_secret=${TWITCH_TOKEN}&grant_type=refresh_token`,
    ],
    ['a refresh token in a form body', `grant_type=refresh_token&refresh_token=${TWITCH_TOKEN}`],
    ['a password in a database URL', `connect ECONNREFUSED postgresql://bot:${TWITCH_TOKEN}@db:5432/tcs`],
    ['a password in a Redis URL', `rediss://:${TWITCH_TOKEN}@cache:6380`],
    [
      'an interaction token in a webhook path',
      `PATCH /webhooks/123456789012345678/${TWITCH_TOKEN}aWNrZXQ/messages/@original`,
    ],
    ['a token inside a JSON body', `response {"access_token":"${TWITCH_TOKEN}","expires_in":3600}`],
    ['a token inside an escaped JSON body', `{"msg":"body {\\"refresh_token\\":\\"${TWITCH_TOKEN}\\"}"}`],
    [
      'the signed /twitch link URL in a Markdown link',
      `[Open this link](https://bot.example/auth/twitch/start?link=eyJkIjoiMSJ9.${TWITCH_TOKEN}) within 30 minutes`,
    ],
  ])('removes %s', (_what, text) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(TWITCH_TOKEN);
    expect(scrubbed).not.toContain(BOT_TOKEN);
    expect(scrubbed).toContain('[REDACTED]');
  });

  it('leaves ordinary prose, error codes and ids alone', () => {
    const text =
      'Bot connected as Clipper#0001; Basic authentication failed; error code=ECONNREFUSED ' +
      'status 503 for https://api.twitch.tv/helix/clips?broadcaster_id=12826&first=100';
    expect(scrubSecrets(text)).toBe(text);
  });

  it('keeps a serialised JSON line valid', () => {
    const line = JSON.stringify({
      msg: `GET /cb?code=${TWITCH_TOKEN}`,
      err: { message: `Bearer ${TWITCH_TOKEN}` },
    });
    expect(() => JSON.parse(scrubSecrets(line)) as unknown).not.toThrow();
  });
});

describe('createSecretScrubber', () => {
  it('leaves short configured values such as a default database password alone', () => {
    const scrub = createSecretScrubber(['postgres', 'hunter2hunter']);
    const line = JSON.stringify({ backend: 'postgres', user: 'postgres', msg: 'password hunter2hunter' });
    expect(scrub(line)).toBe(
      JSON.stringify({ backend: 'postgres', user: 'postgres', msg: 'password [REDACTED]' }),
    );
    // Where a short password actually appears, the shape rules still remove it.
    expect(scrub('connect to postgresql://bot:postgres@db:5432/tcs')).toBe(
      'connect to postgresql://bot:[REDACTED]@db:5432/tcs',
    );
  });

  it('removes exact known secrets whatever their shape, and ignores values too short to be secrets', () => {
    const scrub = createSecretScrubber(['weird"secret\\value', 'short', undefined]);
    expect(scrub('value is weird"secret\\value here')).toBe('value is [REDACTED] here');
    expect(scrub(JSON.stringify({ v: 'weird"secret\\value' }))).toBe('{"v":"[REDACTED]"}');
    expect(scrub('a short word')).toBe('a short word');
  });
});
