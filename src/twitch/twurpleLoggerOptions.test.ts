import { describe, expect, it } from 'vitest';
import { captureLogs as capture } from '../../test/support/captureLogs.js';
import { twurpleLoggerOptions } from './twurpleLoggerOptions.js';

const TWITCH_TOKEN = 'cfabdegwdoklmawdzdo98xt2fo512y';

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
