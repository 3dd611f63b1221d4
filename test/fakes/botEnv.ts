import type { FakeDiscord } from './discord/index.js';
import type { FakeTwitch } from './twitch/index.js';

/**
 * The environment that points the real bot at the fakes: the configuration contract of issue 2 and nothing
 * else (twurple is redirected by its own TWURPLE_MOCK_API_PORT), plus whatever `extra` adds.
 */
export function botEnvForFakes(
  discord: FakeDiscord,
  twitch: FakeTwitch,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.restUrl,
    DISCORD_DEV_GUILD_ID: discord.fixtures.guild.id,
    TWITCH_CLIENT_ID: twitch.clientId,
    TWITCH_CLIENT_SECRET: twitch.clientSecret,
    ...twitch.env(),
    ...extra,
  };
}
