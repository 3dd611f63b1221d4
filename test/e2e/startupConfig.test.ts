// What an operator sees when `npm start` runs with missing or invalid configuration: exit code 1 and one
// message naming every problem, with no stack trace and no secret echoed back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBotProcess } from '../support/botProcess.js';

// A scratch working directory, so no developer's .env is picked up.
const cwd = mkdtempSync(join(tmpdir(), 'tcs-config-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function runBot(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const bot = startBotProcess({ env, cwd });
  const { code } = await bot.exited();
  return { code, stderr: bot.stderr(), stdout: bot.logs.map((line) => JSON.stringify(line)).join('\n') };
}

describe('starting the bot with bad configuration', () => {
  it('exits 1 listing every missing credential and where to get it, without a stack trace', async () => {
    const { code, stderr } = await runBot({});
    expect(code).toBe(1);
    for (const name of [
      'DISCORD_TOKEN',
      'DISCORD_APPLICATION_ID',
      'TWITCH_CLIENT_ID',
      'TWITCH_CLIENT_SECRET',
    ]) {
      expect(stderr).toContain(`${name} is missing`);
    }
    expect(stderr).toContain('https://discord.com/developers/applications');
    expect(stderr).toContain('dev.twitch.tv');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names invalid values without repeating the secrets it was given', async () => {
    const { code, stderr, stdout } = await runBot({
      DISCORD_TOKEN: 'super-secret-discord-token',
      DISCORD_APPLICATION_ID: 'not-a-snowflake',
      TWITCH_CLIENT_ID: 'abc',
      TWITCH_CLIENT_SECRET: 'super-secret-twitch-secret',
      REDIS_URL: 'http://wrong-scheme',
      ADMIN_PORT: '99999',
      TOKEN_ENCRYPTION_KEY: 'too-short',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('DISCORD_APPLICATION_ID is invalid');
    expect(stderr).toContain('REDIS_URL is invalid');
    expect(stderr).toContain('ADMIN_PORT is invalid');
    expect(stderr).toContain('TOKEN_ENCRYPTION_KEY is invalid');
    expect(stderr).not.toContain('DISCORD_TOKEN');
    expect(stderr + stdout).not.toContain('super-secret');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
