// Real-looking snowflakes (timestamp << 22 | counter) so discord.js can read createdAt from every id.
const DISCORD_EPOCH = 1_420_070_400_000n;

export class SnowflakeGenerator {
  #increment = 0n;

  /** A fresh id whose guild events Discord would route to `shardId` of `shardCount` (timestamp chosen so). */
  nextOnShard(shardId: number, shardCount: number, at = Date.now()): string {
    const offset = (BigInt(at) - DISCORD_EPOCH) % BigInt(shardCount);
    const back = (offset - BigInt(shardId) + BigInt(shardCount)) % BigInt(shardCount);
    return this.next(at - Number(back));
  }

  next(at = Date.now()): string {
    this.#increment = (this.#increment + 1n) & 0xfffn;
    return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.#increment).toString();
  }
}

/** Which shard receives events for a guild, as Discord computes it. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
