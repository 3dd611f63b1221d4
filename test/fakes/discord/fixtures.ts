// Guild, channel, role and user fixtures, and their Discord JSON as GUILD_CREATE and REST return it.
import type { SnowflakeGenerator } from './snowflake.js';

export const Permission = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
  ManageGuild: 1n << 5n,
  Administrator: 1n << 3n,
  ManageWebhooks: 1n << 29n,
} as const;

/** All permission bits Discord currently defines (what Administrator expands to). */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;
export const DEFAULT_EVERYONE_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.ReadMessageHistory |
  Permission.UseApplicationCommands;

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

export interface FakeChannel {
  id: string;
  name: string;
  /** 0 text, 2 voice, 4 category, 5 announcement, 10/11/12 announcement/public/private thread, 15 forum. */
  type: number;
  guildId: string;
  /** A thread's parent channel (or a channel's category). */
  parentId?: string | null;
  position: number;
  /** Simulates a channel the bot cannot use: 'missing-access' → 403/50001, 'missing-permissions' → 403/50013. */
  access: 'ok' | 'missing-access' | 'missing-permissions';
  /** Whether the bot has Manage Webhooks here (default true); without it webhook management answers 403/50013. */
  manageWebhooks?: boolean;
  /** A forum or media channel's tags (`available_tags`), which a new post may apply. */
  availableTags?: { id: string; name: string }[];
  /** A forum or media channel with the REQUIRE_TAG flag: a new post must apply a tag (else 400/40067). */
  requireTag?: boolean;
}

/** Channel flag REQUIRE_TAG (1 << 4): a post in this forum or media channel must have a tag. */
export const CHANNEL_FLAG_REQUIRE_TAG = 1 << 4;

/** Thread channel types: announcement, public and private thread. */
export const THREAD_TYPES: readonly number[] = [10, 11, 12];
/** Channels whose webhooks must post in a thread (`thread_id` or `thread_name`): forum and media. */
export const FORUM_TYPES: readonly number[] = [15, 16];

export interface FakeMember {
  user: FakeUser;
  roleIds: string[];
  joinedAt: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  channels: FakeChannel[];
  roles: FakeRole[];
  members: FakeMember[];
}

export interface AddGuildOptions {
  id?: string;
  name?: string;
  ownerId?: string;
  channels?: {
    id?: string;
    name: string;
    type?: number;
    parentId?: string;
    access?: FakeChannel['access'];
  }[];
  roles?: { id?: string; name: string; permissions?: bigint; position?: number }[];
  /** Users join with these role names or ids; the bot is always added. */
  members?: { user: FakeUser; roles?: string[] }[];
  /** Permissions of @everyone (defaults to view/send/embed/history/use commands). */
  everyonePermissions?: bigint;
}

export function buildGuild(options: AddGuildOptions, bot: FakeUser, ids: SnowflakeGenerator): FakeGuild {
  const guildId = options.id ?? ids.next();
  const everyone: FakeRole = {
    id: guildId,
    name: '@everyone',
    permissions: options.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
    position: 0,
  };
  const roles = [
    everyone,
    ...(options.roles ?? []).map((role, index) => ({
      id: role.id ?? ids.next(),
      name: role.name,
      permissions: role.permissions ?? 0n,
      position: role.position ?? index + 1,
    })),
  ];
  const resolveRole = (nameOrId: string): string => {
    const role = roles.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
    if (role === undefined) throw new Error(`addGuild: unknown role ${nameOrId}`);
    return role.id;
  };
  const joinedAt = new Date().toISOString();
  const members: FakeMember[] = (options.members ?? []).map((member) => ({
    user: member.user,
    roleIds: (member.roles ?? []).map(resolveRole),
    joinedAt,
  }));
  if (!members.some((member) => member.user.id === bot.id))
    members.push({ user: bot, roleIds: [], joinedAt });
  const channels: FakeChannel[] = (options.channels ?? [{ name: 'general' }]).map((channel, index) => ({
    id: channel.id ?? ids.next(),
    name: channel.name,
    type: channel.type ?? 0,
    guildId,
    parentId: channel.parentId ?? null,
    position: index,
    access: channel.access ?? 'ok',
  }));
  return {
    id: guildId,
    name: options.name ?? 'Fake Guild',
    ownerId: options.ownerId ?? members.find((member) => member.user.id !== bot.id)?.user.id ?? bot.id,
    channels,
    roles,
    members,
  };
}

/** Base guild permissions of a member: OR of @everyone and their roles; owner and Administrator get all. */
export function memberPermissions(guild: FakeGuild, member: FakeMember): bigint {
  if (guild.ownerId === member.user.id) return ALL_PERMISSIONS;
  let bits = guild.roles.find((role) => role.id === guild.id)?.permissions ?? 0n;
  for (const roleId of member.roleIds)
    bits |= guild.roles.find((role) => role.id === roleId)?.permissions ?? 0n;
  return (bits & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : bits;
}

export function userJson(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    global_name: user.bot === true ? null : user.username,
    discriminator: '0',
    avatar: null,
    bot: user.bot === true,
    public_flags: 0,
    flags: 0,
  };
}

export function roleJson(role: FakeRole): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export function channelJson(channel: FakeChannel): Record<string, unknown> {
  if (THREAD_TYPES.includes(channel.type)) {
    // A thread has no position or overwrites, but thread metadata (Discord's thread channel object).
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      parent_id: channel.parentId ?? null,
      owner_id: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
      flags: 0,
    };
  }
  return {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    parent_id: channel.parentId ?? null,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: channel.requireTag === true ? CHANNEL_FLAG_REQUIRE_TAG : 0,
    ...(FORUM_TYPES.includes(channel.type)
      ? {
          available_tags: (channel.availableTags ?? []).map((tag) => ({
            id: tag.id,
            name: tag.name,
            moderated: false,
            emoji_id: null,
            emoji_name: null,
          })),
          default_reaction_emoji: null,
          default_sort_order: null,
          default_forum_layout: 0,
        }
      : {}),
  };
}

export function memberJson(member: FakeMember, permissions?: bigint): Record<string, unknown> {
  return {
    user: userJson(member.user),
    nick: null,
    avatar: null,
    banner: null,
    roles: member.roleIds,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(permissions === undefined ? {} : { permissions: permissions.toString() }),
  };
}

export function guildJson(guild: FakeGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: guild.roles.map(roleJson),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    max_members: 500000,
  };
}

/** The GUILD_CREATE dispatch body: the REST guild plus the gateway-only collections discord.js caches. */
export function guildCreateJson(guild: FakeGuild): Record<string, unknown> {
  return {
    ...guildJson(guild),
    unavailable: false,
    large: false,
    member_count: guild.members.length,
    joined_at: guild.members[0]?.joinedAt ?? new Date().toISOString(),
    channels: guild.channels.filter((channel) => !THREAD_TYPES.includes(channel.type)).map(channelJson),
    threads: guild.channels.filter((channel) => THREAD_TYPES.includes(channel.type)).map(channelJson),
    members: guild.members.map((member) => memberJson(member)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
