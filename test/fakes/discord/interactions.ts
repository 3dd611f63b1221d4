// INTERACTION_CREATE payloads as Discord sends them, and the state the fake keeps per interaction token.
import type { FakeGuild, FakeUser } from './fixtures.js';
import {
  channelJson,
  memberJson,
  memberPermissions,
  roleJson,
  userJson,
  ALL_PERMISSIONS,
} from './fixtures.js';

type Json = Record<string, unknown>;

export const InteractionType = {
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  Autocomplete: 4,
  ModalSubmit: 5,
} as const;
export const CallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;
export const MESSAGE_FLAG_LOADING = 1 << 7;

/** Where and by whom an interaction is invoked. `guildId: null` means a DM with the bot. */
export interface InteractionContext {
  guildId?: string | null;
  channelId?: string;
  user?: FakeUser;
  /** Overrides the member's computed permissions, e.g. `0n` for "no Manage Guild". */
  permissions?: bigint;
  /** Role names or ids the invoking member has (added to the guild's member list if new). */
  roles?: string[];
  locale?: string;
}

export type OptionValues = Record<string, string | number | boolean>;

export interface SlashCommandInput extends InteractionContext {
  name: string;
  /** `{ query: 'abc', limit: 5 }` (types taken from the registered command) or raw Discord options. */
  options?: OptionValues | Json[];
  subcommand?: string;
  subcommandGroup?: string;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option being typed into; its value is taken from `options` (or ''). */
  focused: string;
}

export interface ComponentInput extends InteractionContext {
  customId: string;
  /** The message the component is on: an id the fake knows, or a message JSON. */
  message: string | Json;
  /** 2 button (default), 3 string select, 5 user select, ... */
  componentType?: number;
  values?: string[];
}

export interface ModalSubmitInput extends InteractionContext {
  customId: string;
  /** Text input custom_id → submitted value. */
  fields: Record<string, string>;
  /** Set when the modal was opened from a component on this message (enables callback types 6/7). */
  message?: string | Json;
}

export interface CallbackRecord {
  type: number;
  data?: Json;
}

export interface InteractionState {
  id: string;
  token: string;
  type: number;
  payload: Json;
  createdAt: number;
  channelId: string;
  guildId: string | null;
  callback: CallbackRecord | null;
  /** The message the interaction's @original refers to (reply, or the component's message for types 6/7). */
  originalId: string | null;
  /** Snapshots of @original after every PATCH, in order. */
  edits: Json[];
  followUpIds: string[];
  /** Gateway sessions that got INTERACTION_CREATE (0: no bot connected; a test may still answer over HTTP). */
  dispatchedTo: number;
}

export interface ResolvedContext {
  guild: FakeGuild | null;
  channel: Json;
  user: FakeUser;
  member: Json | null;
  appPermissions: bigint;
  locale: string;
}

/** Finds an option's type from a registered command definition; falls back to the JS type of the value. */
function optionType(definition: Json[] | undefined, name: string, value: unknown): number {
  const declared = definition?.find((option) => option.name === name)?.type;
  if (typeof declared === 'number') return declared;
  if (typeof value === 'boolean') return 5;
  if (typeof value === 'number') return Number.isInteger(value) ? 4 : 10;
  return 3;
}

function nestedDefinition(command: Json | undefined, path: string[]): Json[] | undefined {
  let options = command?.options as Json[] | undefined;
  for (const name of path)
    options = options?.find((option) => option.name === name)?.options as Json[] | undefined;
  return options;
}

/** Builds `data.options` for a chat input or autocomplete interaction. */
export function buildOptions(input: SlashCommandInput, command: Json | undefined, focused?: string): Json[] {
  const path = [input.subcommandGroup, input.subcommand].filter((name): name is string => name !== undefined);
  const definition = nestedDefinition(command, path);
  let leaf: Json[];
  if (Array.isArray(input.options)) {
    leaf = input.options;
  } else {
    const values: OptionValues = { ...(input.options ?? {}) };
    if (focused !== undefined && !(focused in values)) values[focused] = '';
    leaf = Object.entries(values).map(([name, value]) => ({
      name,
      type: optionType(definition, name, value),
      value,
      ...(name === focused ? { focused: true } : {}),
    }));
  }
  if (input.subcommand !== undefined) leaf = [{ name: input.subcommand, type: 1, options: leaf }];
  if (input.subcommandGroup !== undefined) leaf = [{ name: input.subcommandGroup, type: 2, options: leaf }];
  return leaf;
}

/**
 * `data.resolved` for user, channel, role and mentionable options, as Discord sends it next to the ids;
 * without it discord.js returns null from getUser/getChannel/getRole.
 */
export function buildResolved(
  options: Json[],
  context: ResolvedContext,
  users: Map<string, FakeUser>,
): Json | undefined {
  const resolved: Record<'users' | 'members' | 'channels' | 'roles', Record<string, Json>> = {
    users: {},
    members: {},
    channels: {},
    roles: {},
  };
  const guild = context.guild;
  const visit = (option: Json): void => {
    if (Array.isArray(option.options)) (option.options as Json[]).forEach(visit);
    const id = String(option.value);
    const type = Number(option.type);
    const user = users.get(id);
    if ((type === 6 || type === 9) && user !== undefined) {
      resolved.users[id] = userJson(user);
      const member = guild?.members.find((candidate) => candidate.user.id === id);
      if (guild !== null && member !== undefined) {
        const { user: _user, ...memberFields } = memberJson(member, memberPermissions(guild, member));
        resolved.members[id] = memberFields;
      }
    }
    const role = guild?.roles.find((candidate) => candidate.id === id);
    if ((type === 8 || type === 9) && role !== undefined) resolved.roles[id] = roleJson(role);
    const channel = guild?.channels.find((candidate) => candidate.id === id);
    if (type === 7 && channel !== undefined) {
      resolved.channels[id] = {
        id,
        name: channel.name,
        type: channel.type,
        permissions: ALL_PERMISSIONS.toString(),
      };
    }
  };
  options.forEach(visit);
  const present = Object.entries(resolved).filter(([, entries]) => Object.keys(entries).length > 0);
  return present.length === 0 ? undefined : Object.fromEntries(present);
}

/** The fields every INTERACTION_CREATE carries, for a guild member or a DM user. */
export function interactionBase(options: {
  id: string;
  token: string;
  type: number;
  applicationId: string;
  context: ResolvedContext;
  data: Json;
}): Json {
  const { context } = options;
  const guildId = context.guild?.id ?? null;
  return {
    id: options.id,
    application_id: options.applicationId,
    type: options.type,
    data: options.data,
    token: options.token,
    version: 1,
    channel: context.channel,
    channel_id: context.channel.id,
    ...(guildId === null
      ? { user: userJson(context.user), context: 1, authorizing_integration_owners: { '0': '0' } }
      : {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          member: context.member,
          context: 0,
          authorizing_integration_owners: { '0': guildId },
        }),
    app_permissions: context.appPermissions.toString(),
    locale: context.locale,
    entitlements: [],
    attachment_size_limit: 10_485_760,
  };
}

/** Resolves guild/channel/member JSON for an interaction; adds the user to the guild if they are new. */
export function resolveContext(options: {
  input: InteractionContext;
  guilds: FakeGuild[];
  defaultGuild: FakeGuild;
  defaultUser: FakeUser;
  bot: FakeUser;
  dmChannelFor: (user: FakeUser) => Json;
}): ResolvedContext {
  const { input } = options;
  const user = input.user ?? options.defaultUser;
  const locale = input.locale ?? 'en-US';
  if (input.guildId === null) {
    return {
      guild: null,
      channel: options.dmChannelFor(user),
      user,
      member: null,
      appPermissions: ALL_PERMISSIONS,
      locale,
    };
  }
  const guild = options.guilds.find(
    (candidate) => candidate.id === (input.guildId ?? options.defaultGuild.id),
  );
  if (guild === undefined) throw new Error(`fake discord: unknown guild ${String(input.guildId)}`);
  const channel = guild.channels.find(
    (candidate) => candidate.id === (input.channelId ?? guild.channels[0]?.id),
  );
  if (channel === undefined) throw new Error(`fake discord: unknown channel ${String(input.channelId)}`);
  let member = guild.members.find((candidate) => candidate.user.id === user.id);
  if (member === undefined) {
    member = { user, roleIds: [], joinedAt: new Date().toISOString() };
    guild.members.push(member);
  }
  if (input.roles !== undefined) {
    member.roleIds = input.roles.map((nameOrId) => {
      const role = guild.roles.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
      if (role === undefined) throw new Error(`fake discord: unknown role ${nameOrId}`);
      return role.id;
    });
  }
  const botMember = guild.members.find((candidate) => candidate.user.id === options.bot.id);
  return {
    guild,
    channel: { ...channelJson(channel), guild_id: guild.id },
    user,
    member: memberJson(member, input.permissions ?? memberPermissions(guild, member)),
    appPermissions: botMember === undefined ? 0n : memberPermissions(guild, botMember),
    locale,
  };
}
