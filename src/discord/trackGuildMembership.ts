import { Events, type Client, type Guild } from 'discord.js';
import type { Logger } from 'pino';
import type { GuildService } from '../guilds/GuildService.js';

/**
 * Keeps the guilds table in step with the gateway: every guild the bot is in when it connects (READY), joins
 * (GUILD_CREATE), or sees changed (GUILD_UPDATE: name, system channel) is recorded as present; a removal
 * (GUILD_DELETE without `unavailable`, which discord.js reports as guildDelete, not guildUnavailable) sets
 * left_at. Listener failures are logged, never thrown (they would crash the client's emitter).
 */
export function trackGuildMembership(options: {
  client: Client;
  guilds: Pick<GuildService, 'recordPresent' | 'recordLeft'>;
  logger: Logger;
}): void {
  const { client, guilds } = options;
  const logger = options.logger.child({ component: 'guild-membership' });
  const record = async (guild: Guild, event: string): Promise<void> => {
    try {
      const { created, rejoined } = await guilds.recordPresent({
        id: guild.id,
        name: guild.name,
        systemChannelId: guild.systemChannelId,
      });
      if (created || rejoined) logger.info({ guildId: guild.id, event, rejoined }, 'guild joined');
    } catch (error) {
      logger.error({ err: error, guildId: guild.id, event }, 'could not record guild');
    }
  };
  const present = (guild: Guild, event: string) => void record(guild, event);

  client.once(Events.ClientReady, (ready) => {
    // One write at a time: a bot in thousands of guilds must not queue thousands of writes on the pool.
    const available = [...ready.guilds.cache.values()].filter((guild) => guild.available);
    void (async () => {
      for (const guild of available) await record(guild, 'ready');
      logger.info({ guilds: available.length }, 'guilds recorded');
    })();
  });
  // A join emits guildCreate; a guild that was unavailable emits guildAvailable (before READY too: those
  // are recorded by the ready handler above, once).
  client.on(Events.GuildCreate, (guild) => present(guild, 'guildCreate'));
  client.on(Events.GuildAvailable, (guild) => {
    if (client.isReady()) present(guild, 'guildAvailable');
  });
  client.on(Events.GuildUpdate, (_old, guild) => present(guild, 'guildUpdate'));
  client.on(Events.GuildDelete, (guild) => {
    guilds
      .recordLeft(guild.id)
      .then((left) => {
        if (left) logger.info({ guildId: guild.id }, 'guild left');
      })
      .catch((error: unknown) =>
        logger.error({ err: error, guildId: guild.id }, 'could not record guild removal'),
      );
  });
}
