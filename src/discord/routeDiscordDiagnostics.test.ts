import { Client, GatewayIntentBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { captureLogs as capture } from '../../test/support/captureLogs.js';
import { routeDiscordDiagnostics } from './routeDiscordDiagnostics.js';

const BOT_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
const TWITCH_TOKEN = 'cfabdegwdoklmawdzdo98xt2fo512y';

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
