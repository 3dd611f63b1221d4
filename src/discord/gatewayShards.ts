import { Events, Status, type Client } from 'discord.js';
import type { Registry } from 'prom-client';
import type { ReadinessCheck } from '../http/readiness.js';
import type { Logger } from '../observability/logger.js';
import { getOrCreateGauge } from '../observability/metrics.js';
import { withComponent } from '../observability/withComponent.js';

/** discord.js's shard states by name, as they appear in metrics, logs and /readyz. */
const STATUS_NAMES: Record<Status, string> = {
  [Status.Ready]: 'ready',
  [Status.Connecting]: 'connecting',
  [Status.Reconnecting]: 'reconnecting',
  [Status.Idle]: 'idle',
  [Status.Nearly]: 'nearly',
  [Status.Disconnected]: 'disconnected',
  [Status.WaitingForGuilds]: 'waiting_for_guilds',
  [Status.Identifying]: 'identifying',
  [Status.Resuming]: 'resuming',
};

export interface ShardState {
  id: number;
  status: string;
  /** Last heartbeat round trip in ms; null before the first acknowledged heartbeat. */
  latencyMs: number | null;
  /** Guilds this shard has delivered (available or not). */
  guilds: number;
}

/** The shards this process runs, read from discord.js (empty until login has fetched the shard plan). */
export function readShardStates(client: Client): ShardState[] {
  const guildsByShard = new Map<number, number>();
  for (const guild of client.guilds.cache.values()) {
    guildsByShard.set(guild.shardId, (guildsByShard.get(guild.shardId) ?? 0) + 1);
  }
  return [...client.ws.shards.values()]
    .map((shard) => ({
      id: shard.id,
      status: STATUS_NAMES[shard.status] ?? String(shard.status),
      latencyMs: shard.ping >= 0 ? shard.ping : null,
      guilds: guildsByShard.get(shard.id) ?? 0,
    }))
    .sort((a, b) => a.id - b.id);
}

/** Gauges per shard, read from the client at every scrape. */
export function registerShardMetrics(client: Client, registry: Registry): void {
  const statusNames = Object.values(STATUS_NAMES);
  getOrCreateGauge(registry, {
    name: 'tcs_discord_shard_status',
    help: 'Gateway state of each shard this process runs: 1 for its current status, 0 for the others',
    labelNames: ['shard', 'status'],
    collect() {
      this.reset();
      for (const shard of readShardStates(client)) {
        for (const status of statusNames)
          this.set({ shard: String(shard.id), status }, shard.status === status ? 1 : 0);
      }
    },
  });
  getOrCreateGauge(registry, {
    name: 'tcs_discord_shard_latency_seconds',
    help: 'Last gateway heartbeat round trip of each shard this process runs',
    labelNames: ['shard'],
    collect() {
      this.reset();
      for (const shard of readShardStates(client)) {
        if (shard.latencyMs !== null) this.set({ shard: String(shard.id) }, shard.latencyMs / 1000);
      }
    },
  });
  getOrCreateGauge(registry, {
    name: 'tcs_discord_shard_guilds',
    help: 'Guilds each shard this process runs has received (Discord requires sharding from 2,500 per shard)',
    labelNames: ['shard'],
    collect() {
      this.reset();
      for (const shard of readShardStates(client)) this.set({ shard: String(shard.id) }, shard.guilds);
    },
  });
}

/**
 * /readyz's `discord` check: up when every shard this process runs is ready. The detail names them, e.g.
 * `shards 0,1 of 2: 0 ready, 1 resuming`, so an operator sees which process runs which shards.
 */
export function gatewayReadinessCheck(client: Client): ReadinessCheck {
  return {
    required: true,
    check: () => {
      const shards = readShardStates(client);
      if (shards.length === 0) return { up: false, detail: 'gateway not connected yet' };
      const count = client.options.shardCount ?? shards.length;
      const detail =
        `shards ${shards.map((shard) => shard.id).join(',')} of ${count}: ` +
        shards.map((shard) => `${shard.id} ${shard.status}`).join(', ');
      return { up: shards.every((shard) => shard.status === 'ready'), detail };
    },
  };
}

/**
 * One log line per shard state change (discord.js emits them as events): ready, resumed, reconnecting, and
 * disconnected for good (a close code it will not recover from, such as 4004 or 4011).
 */
export function logShardEvents(client: Client, logger: Logger): void {
  const log = withComponent(logger, 'discord');
  const count = () => client.options.shardCount;
  client.on(Events.ShardReady, (shard, unavailable) =>
    log.info(
      { shard, shardCount: count(), unavailableGuilds: unavailable?.size ?? 0 },
      'discord shard ready',
    ),
  );
  client.on(Events.ShardResume, (shard, replayed) =>
    log.info({ shard, shardCount: count(), replayed }, 'discord shard resumed'),
  );
  client.on(Events.ShardReconnecting, (shard) =>
    log.warn({ shard, shardCount: count() }, 'discord shard reconnecting'),
  );
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.error(
      { shard, shardCount: count(), closeCode: event.code },
      'discord shard disconnected and will not reconnect (see the close code)',
    ),
  );
  client.on(Events.ShardError, (error, shard) =>
    log.warn({ err: error, shard, shardCount: count() }, 'discord shard connection error'),
  );
}
