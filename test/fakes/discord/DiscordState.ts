// In-memory Discord: guilds, channels, messages, commands, webhooks and interactions. Mutations notify the
// gateway (MESSAGE_CREATE, GUILD_CREATE, ...) and wake up test helpers waiting on a change.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { DiscordHttpError } from './DiscordHttpError.js';
import type { FakeGateway } from './FakeGateway.js';
import {
  buildGuild,
  channelJson,
  THREAD_TYPES,
  userJson,
  type AddGuildOptions,
  type FakeChannel,
  type FakeGuild,
  type FakeUser,
} from './fixtures.js';
import type { InteractionState } from './interactions.js';
import type { SnowflakeGenerator } from './snowflake.js';

type Json = Record<string, unknown>;

const Intent = { GuildMessages: 1 << 9, DirectMessages: 1 << 12 } as const;
const EPHEMERAL = 1 << 6;

export interface StoredMessage {
  json: Json;
  channelId: string;
  guildId: string | null;
  deleted: boolean;
  ephemeral: boolean;
  /** A webhook post's `avatar_url` override (Discord shows it as the author's avatar). */
  avatarUrl?: string;
}

export interface FakeWebhook {
  id: string;
  token: string;
  channelId: string;
  guildId: string;
  name: string;
}

export interface DmChannel {
  id: string;
  recipient: FakeUser;
}

export class DiscordState {
  readonly guilds: FakeGuild[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly dmChannels = new Map<string, DmChannel>();
  readonly messages = new Map<string, StoredMessage>();
  readonly globalCommands = new Map<string, Json>();
  readonly guildCommands = new Map<string, Map<string, Json>>();
  readonly webhooks = new Map<string, FakeWebhook>();
  readonly interactions = new Map<string, InteractionState>();
  readonly interactionsByToken = new Map<string, InteractionState>();
  /** `${channelId}:${nonce}` → message id and when it was created, for enforce_nonce. */
  readonly nonces = new Map<string, { messageId: string; at: number }>();
  readonly #events = new EventEmitter().setMaxListeners(0);

  constructor(
    readonly ids: SnowflakeGenerator,
    readonly bot: FakeUser,
    readonly applicationId: string,
    private readonly gateway: FakeGateway,
  ) {
    this.users.set(bot.id, bot);
  }

  changed(): void {
    this.#events.emit('change');
  }

  /** Resolves with the first non-undefined `probe()` result, re-checked after every change. */
  waitUntil<T>(probe: () => T | undefined, timeoutMs: number, description: string): Promise<T> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#events.off('change', onChange);
      };
      const onChange = (): void => {
        try {
          const value = probe();
          if (value === undefined) return;
          cleanup();
          resolve(value);
        } catch (error) {
          cleanup();
          reject(error as Error);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      this.#events.on('change', onChange);
    });
  }

  addUser(user: { id?: string; username: string; bot?: boolean }): FakeUser {
    const created: FakeUser = {
      id: user.id ?? this.ids.next(),
      username: user.username,
      bot: user.bot ?? false,
    };
    this.users.set(created.id, created);
    return created;
  }

  addGuild(options: AddGuildOptions): FakeGuild {
    const guild = buildGuild(options, this.bot, this.ids);
    for (const member of guild.members) this.users.set(member.user.id, member.user);
    this.guilds.push(guild);
    this.gateway.dispatchPerSession(
      'GUILD_CREATE',
      (intents) => this.gateway.guildCreateFor(guild, intents),
      guild.id,
    );
    this.changed();
    return guild;
  }

  /** The bot was removed from the guild: GUILD_DELETE without `unavailable`. */
  removeGuild(guildId: string): void {
    const index = this.guilds.findIndex((guild) => guild.id === guildId);
    if (index === -1) throw new Error(`fake discord: unknown guild ${guildId}`);
    this.guilds.splice(index, 1);
    this.gateway.dispatch('GUILD_DELETE', { id: guildId }, guildId);
    this.changed();
  }

  addChannel(
    guildId: string,
    channel: {
      id?: string;
      name: string;
      type?: number;
      parentId?: string;
      access?: FakeChannel['access'];
      availableTags?: FakeChannel['availableTags'];
      requireTag?: boolean;
    },
  ): FakeChannel {
    const guild = this.guild(guildId);
    const created: FakeChannel = {
      id: channel.id ?? this.ids.next(),
      name: channel.name,
      type: channel.type ?? 0,
      guildId,
      parentId: channel.parentId ?? null,
      position: guild.channels.length,
      access: channel.access ?? 'ok',
      ...(channel.availableTags === undefined ? {} : { availableTags: channel.availableTags }),
      ...(channel.requireTag === undefined ? {} : { requireTag: channel.requireTag }),
    };
    guild.channels.push(created);
    const thread = THREAD_TYPES.includes(created.type);
    this.gateway.dispatch(thread ? 'THREAD_CREATE' : 'CHANNEL_CREATE', channelJson(created), guildId);
    this.changed();
    return created;
  }

  removeChannel(channelId: string): void {
    for (const guild of this.guilds) {
      const index = guild.channels.findIndex((channel) => channel.id === channelId);
      if (index === -1) continue;
      const [channel] = guild.channels.splice(index, 1);
      const thread = THREAD_TYPES.includes(channel!.type);
      // A channel's webhooks go with it.
      for (const [id, webhook] of this.webhooks)
        if (webhook.channelId === channelId) this.webhooks.delete(id);
      this.gateway.dispatch(thread ? 'THREAD_DELETE' : 'CHANNEL_DELETE', channelJson(channel!), guild.id);
      this.changed();
      return;
    }
    throw new Error(`fake discord: unknown channel ${channelId}`);
  }

  guild(guildId: string): FakeGuild {
    const guild = this.guilds.find((candidate) => candidate.id === guildId);
    if (guild === undefined) throw DiscordHttpError.notFound(10004, 'Guild');
    return guild;
  }

  /** A guild channel or DM channel by id, or 404 Unknown Channel. */
  channel(channelId: string): {
    json: Json;
    guildId: string | null;
    access: FakeChannel['access'];
    channel?: FakeChannel;
  } {
    for (const guild of this.guilds) {
      const channel = guild.channels.find((candidate) => candidate.id === channelId);
      if (channel !== undefined)
        return { json: channelJson(channel), guildId: guild.id, access: channel.access, channel };
    }
    const dm = this.dmChannels.get(channelId);
    if (dm !== undefined) return { json: this.dmChannelJson(dm), guildId: null, access: 'ok' };
    throw DiscordHttpError.notFound(10003, 'Channel');
  }

  dmChannelFor(user: FakeUser): Json {
    let dm = [...this.dmChannels.values()].find((candidate) => candidate.recipient.id === user.id);
    if (dm === undefined) {
      dm = { id: this.ids.next(), recipient: user };
      this.dmChannels.set(dm.id, dm);
    }
    return this.dmChannelJson(dm);
  }

  dmChannelJson(dm: DmChannel): Json {
    return { id: dm.id, type: 1, last_message_id: null, flags: 0, recipients: [userJson(dm.recipient)] };
  }

  message(messageId: string): StoredMessage | undefined {
    const stored = this.messages.get(messageId);
    return stored === undefined || stored.deleted ? undefined : stored;
  }

  channelMessages(channelId: string): Json[] {
    return [...this.messages.values()]
      .filter((stored) => stored.channelId === channelId && !stored.deleted)
      .map((stored) => stored.json);
  }

  createMessage(options: {
    channelId: string;
    body: Json;
    author: FakeUser;
    type?: number;
    webhookId?: string;
    interaction?: InteractionState;
    extraFlags?: number;
    /** A forum post's starter message has the id of its thread. */
    id?: string;
    avatarUrl?: string;
  }): Json {
    const { guildId } = this.channel(options.channelId);
    const id = options.id ?? this.ids.next();
    const body = options.body;
    const flags = (Number(body.flags ?? 0) | (options.extraFlags ?? 0)) >>> 0;
    const json: Json = {
      id,
      type: options.type ?? 0,
      channel_id: options.channelId,
      ...(guildId === null ? {} : { guild_id: guildId }),
      author: userJson(options.author),
      content: typeof body.content === 'string' ? body.content : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts === true,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: Array.isArray(body.attachments) ? body.attachments : [],
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      reactions: [],
      pinned: false,
      flags,
      ...(body.nonce === undefined ? {} : { nonce: body.nonce }),
      ...(options.webhookId === undefined ? {} : { webhook_id: options.webhookId }),
      ...(options.interaction === undefined
        ? {}
        : {
            application_id: this.applicationId,
            interaction_metadata: {
              id: options.interaction.id,
              type: options.interaction.type,
              user: options.interaction.payload.user ?? (options.interaction.payload.member as Json).user,
              authorizing_integration_owners: options.interaction.payload.authorizing_integration_owners,
            },
          }),
      ...(body.message_reference === undefined ? {} : { message_reference: body.message_reference }),
    };
    const ephemeral = (flags & EPHEMERAL) !== 0;
    this.messages.set(id, {
      json,
      channelId: options.channelId,
      guildId,
      deleted: false,
      ephemeral,
      ...(options.avatarUrl === undefined ? {} : { avatarUrl: options.avatarUrl }),
    });
    if (!ephemeral) this.#dispatchMessage('MESSAGE_CREATE', json, guildId);
    this.changed();
    return json;
  }

  /** Stores a message JSON the test supplied (e.g. the message a button sits on) unless it is known. */
  adoptMessage(json: Json): Json {
    const id = String(json.id);
    const known = this.message(id);
    if (known !== undefined) return known.json;
    const channelId = String(json.channel_id);
    const { guildId } = this.channel(channelId);
    this.messages.set(id, { json, channelId, guildId, deleted: false, ephemeral: false });
    return json;
  }

  editMessage(messageId: string, body: Json, options: { clearLoading?: boolean } = {}): Json {
    const stored = this.message(messageId);
    if (stored === undefined) throw DiscordHttpError.notFound(10008, 'Message');
    const json = stored.json;
    for (const key of ['content', 'embeds', 'components', 'attachments'] as const) {
      if (body[key] !== undefined) json[key] = body[key] ?? (key === 'content' ? '' : []);
    }
    if (options.clearLoading === true) json.flags = Number(json.flags ?? 0) & ~(1 << 7);
    if (body.flags !== undefined && body.flags !== null) {
      // Only SUPPRESS_EMBEDS (1 << 2) may be toggled by an edit; the rest are kept.
      json.flags = (Number(json.flags ?? 0) & ~(1 << 2)) | (Number(body.flags) & (1 << 2));
    }
    json.edited_timestamp = new Date().toISOString();
    if (!stored.ephemeral) this.#dispatchMessage('MESSAGE_UPDATE', json, stored.guildId);
    this.changed();
    return json;
  }

  deleteMessage(messageId: string): void {
    const stored = this.message(messageId);
    if (stored === undefined) throw DiscordHttpError.notFound(10008, 'Message');
    stored.deleted = true;
    if (!stored.ephemeral) {
      this.#dispatchMessage(
        'MESSAGE_DELETE',
        {
          id: messageId,
          channel_id: stored.channelId,
          ...(stored.guildId === null ? {} : { guild_id: stored.guildId }),
        },
        stored.guildId,
      );
    }
    this.changed();
  }

  createWebhook(channelId: string, name: string): FakeWebhook {
    const { guildId } = this.channel(channelId);
    if (guildId === null) throw DiscordHttpError.coded(400, 50003, 'Cannot execute action on a DM channel');
    const webhook: FakeWebhook = {
      id: this.ids.next(),
      token: randomBytes(34).toString('base64url'),
      channelId,
      guildId,
      name,
    };
    this.webhooks.set(webhook.id, webhook);
    this.changed();
    return webhook;
  }

  /** Deletes a webhook (as Delete Webhook, or a member removing it in the server's settings). */
  deleteWebhook(webhookId: string): void {
    if (!this.webhooks.delete(webhookId)) throw DiscordHttpError.notFound(10015, 'Webhook');
    this.changed();
  }

  /** Gives a webhook a new token: calls with the old one answer 401/50027 Invalid Webhook Token. */
  rotateWebhookToken(webhookId: string): void {
    const webhook = this.webhooks.get(webhookId);
    if (webhook === undefined) throw DiscordHttpError.notFound(10015, 'Webhook');
    webhook.token = randomBytes(34).toString('base64url');
    this.changed();
  }

  webhookJson(webhook: FakeWebhook, withToken: boolean): Json {
    return {
      id: webhook.id,
      type: 1,
      guild_id: webhook.guildId,
      channel_id: webhook.channelId,
      name: webhook.name,
      avatar: null,
      application_id: this.applicationId,
      user: userJson(this.bot),
      // For an application-owned webhook, only the application that created it sees the token.
      ...(withToken
        ? { token: webhook.token, url: `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}` }
        : {}),
    };
  }

  #dispatchMessage(t: string, json: Json, guildId: string | null): void {
    if (guildId === null) this.gateway.dispatch(t, json, undefined, Intent.DirectMessages);
    else this.gateway.dispatch(t, json, guildId, Intent.GuildMessages);
  }
}
