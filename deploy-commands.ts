// Registers the bot's slash commands with Discord: `npm run deploy-commands`.
//
// With DISCORD_DEV_GUILD_ID set, the commands go to that one guild (they update instantly, for development);
// otherwise they are registered globally. Uses a bulk overwrite, so commands removed from commands/ disappear.
// Prints what changed compared with what was registered before.
import { REST, Routes } from 'discord.js';
import { commands } from './commands/index.js';
import { describeCommandDiff, diffCommands } from './src/discord/commandDiff.js';
import { ConfigError, loadConfig, loadDotEnv } from './src/config/config.js';

async function deployCommands(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const rest = new REST({ api: config.discord.apiUrl, version: '10' }).setToken(config.discord.token);
  const body = commands.map((command) => command.data);
  const { applicationId, devGuildId } = config.discord;
  const route = devGuildId
    ? Routes.applicationGuildCommands(applicationId, devGuildId)
    : Routes.applicationCommands(applicationId);
  const before = (await rest.get(route)) as Array<Record<string, unknown>>;
  const diff = diffCommands(before, body as unknown as Array<Record<string, unknown>>);
  const registered = (await rest.put(route, { body })) as Array<{ name: string }>;
  const scope = devGuildId ? `guild ${devGuildId}` : 'all guilds (global)';
  for (const line of describeCommandDiff(diff)) console.log(line);
  console.log(
    `Registered ${registered.length} commands for ${scope}: ${registered.map((c) => c.name).join(', ')}`,
  );
}

deployCommands().catch((error: unknown) => {
  // A config problem is already a complete, friendly message; anything else gets its text only (no stack,
  // which could carry request details).
  console.error(
    error instanceof ConfigError ? error.message : `deploy-commands failed: ${(error as Error).message}`,
  );
  process.exit(1);
});
