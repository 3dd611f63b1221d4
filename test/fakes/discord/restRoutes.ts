// The REST routes the fake serves, each with its auth mode and rate-limit bucket, mapped onto DiscordState.
import { DiscordHttpError, FormErrorCollector } from './DiscordHttpError.js';
import type { DiscordState, FakeWebhook } from './DiscordState.js';
import {
  FORUM_TYPES,
  THREAD_TYPES,
  guildJson,
  memberJson,
  channelJson,
  roleJson,
  userJson,
} from './fixtures.js';
import {
  CallbackType,
  InteractionType,
  MESSAGE_FLAG_LOADING,
  type InteractionState,
} from './interactions.js';
import {
  validateAutocompleteResult,
  validateCommand,
  validateCommandList,
  validateMessage,
  validateModal,
} from './payloadValidation.js';

type Json = Record<string, unknown>;

export type BucketName = 'default' | 'channelMessages' | 'webhooks' | 'interactionCallback';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  rawBody: unknown;
  now: number;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteDefinition {
  method: string;
  template: string;
  /** 'bot' routes need `Authorization: Bot <token>`; webhook and callback routes carry their own token. */
  auth: 'bot' | 'none';
  bucket: BucketName;
  /** Discord counts a bucket per major parameter (channel, guild, webhook). */
  major: (params: Record<string, string>) => string;
  handle: (context: RouteContext) => RouteResult;
}

export interface RouteConfig {
  gatewayUrl: () => string;
  shardCount: () => number;
  /** GET /gateway/bot's session_start_limit, as it stands now. */
  sessionStartLimit: () => { total: number; remaining: number; reset_after: number; max_concurrency: number };
  interactionAckWindowMs: number;
  interactionTokenTtlMs: number;
  nonceWindowMs: number;
}

const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
const noContent = (): RouteResult => ({ status: 204 });
const EPHEMERAL = 1 << 6;
const COMMAND_MESSAGE_TYPE = { 2: 20, 3: 19, 5: 19 } as Record<number, number>;

function requireGuildChannelAccess(
  state: DiscordState,
  channelId: string,
  sending: boolean,
): { guildId: string | null } {
  const channel = state.channel(channelId);
  if (channel.access === 'missing-access') throw DiscordHttpError.coded(403, 50001, 'Missing Access');
  if (sending && channel.access === 'missing-permissions')
    throw DiscordHttpError.coded(403, 50013, 'Missing Permissions');
  return { guildId: channel.guildId };
}

/** Webhook management needs Manage Webhooks in the channel (and, before that, access to it). */
function requireManageWebhooks(state: DiscordState, channelId: string): void {
  requireGuildChannelAccess(state, channelId, false);
  if (state.channel(channelId).channel?.manageWebhooks === false)
    throw DiscordHttpError.coded(403, 50013, 'Missing Permissions');
}

/** Discord's maximum number of webhooks per channel. */
const MAX_WEBHOOKS_PER_CHANNEL = 15;

/** A webhook name or username override: 1–80 characters, without "clyde" or "discord". */
function checkWebhookName(field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > 80) {
    throw DiscordHttpError.invalidFormBody({
      [field]: {
        _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 80 in length.' }],
      },
    });
  }
  if (/discord|clyde/i.test(value)) {
    throw DiscordHttpError.invalidFormBody({
      [field]: {
        _errors: [
          { code: 'USERNAME_INVALID_CONTAINS', message: 'Username cannot contain "discord" or "clyde"' },
        ],
      },
    });
  }
}

function commandJson(state: DiscordState, body: Json, id: string, guildId: string | null): Json {
  return {
    type: 1,
    description: '',
    options: [],
    default_member_permissions: null,
    nsfw: false,
    name_localizations: null,
    description_localizations: null,
    integration_types: [0],
    contexts: null,
    ...body,
    id,
    application_id: state.applicationId,
    version: state.ids.next(),
    ...(guildId === null ? {} : { guild_id: guildId }),
  };
}

function commandRoutes(
  state: DiscordState,
  prefix: string,
  scope: (params: Record<string, string>) => string | null,
): RouteDefinition[] {
  const store = (params: Record<string, string>): Map<string, Json> => {
    if (params.app !== state.applicationId) throw DiscordHttpError.notFound(10002, 'Application');
    const guildId = scope(params);
    if (guildId === null) return state.globalCommands;
    state.guild(guildId);
    let commands = state.guildCommands.get(guildId);
    if (commands === undefined) state.guildCommands.set(guildId, (commands = new Map()));
    return commands;
  };
  const find = (params: Record<string, string>): Json => {
    const command = store(params).get(params.command!);
    if (command === undefined) throw DiscordHttpError.notFound(10063, 'application command');
    return command;
  };
  const sameKey = (a: Json, b: Json): boolean => a.name === b.name && (a.type ?? 1) === (b.type ?? 1);
  const major = (params: Record<string, string>): string => params.guild ?? params.app!;
  const route = (method: string, path: string, handle: RouteDefinition['handle']): RouteDefinition => ({
    method,
    template: `${prefix}${path}`,
    auth: 'bot',
    bucket: 'default',
    major,
    handle,
  });
  return [
    route('GET', '', ({ params }) => ok([...store(params).values()])),
    route('PUT', '', ({ params, rawBody }) => {
      validateCommandList(rawBody);
      const commands = store(params);
      const previous = [...commands.values()];
      commands.clear();
      for (const body of rawBody as Json[]) {
        const id = String(previous.find((existing) => sameKey(existing, body))?.id ?? state.ids.next());
        commands.set(id, commandJson(state, body, id, scope(params)));
      }
      state.changed();
      return ok([...commands.values()]);
    }),
    route('POST', '', ({ params, body }) => {
      validateCommand(body);
      const commands = store(params);
      const existing = [...commands.values()].find((command) => sameKey(command, body));
      const id = String(existing?.id ?? state.ids.next());
      const command = commandJson(state, body, id, scope(params));
      commands.set(id, command);
      state.changed();
      return ok(command, existing === undefined ? 201 : 200);
    }),
    route('GET', '/:command', ({ params }) => ok(find(params))),
    route('PATCH', '/:command', ({ params, body }) => {
      const merged = { ...find(params), ...body };
      const { id: _id, application_id: _app, version: _version, guild_id: _guild, ...editable } = merged;
      validateCommand(editable);
      const command = commandJson(state, editable, params.command!, scope(params));
      store(params).set(params.command!, command);
      state.changed();
      return ok(command);
    }),
    route('DELETE', '/:command', ({ params }) => {
      find(params);
      store(params).delete(params.command!);
      state.changed();
      return noContent();
    }),
  ];
}

function interactionFor(
  state: DiscordState,
  token: string,
  config: RouteConfig,
  now: number,
): InteractionState {
  const interaction = state.interactionsByToken.get(token);
  if (interaction === undefined) throw DiscordHttpError.notFound(10015, 'Webhook');
  if (now - interaction.createdAt > config.interactionTokenTtlMs) {
    throw DiscordHttpError.coded(401, 50027, 'Invalid Webhook Token');
  }
  if (interaction.callback === null) throw DiscordHttpError.notFound(10015, 'Webhook');
  return interaction;
}

function interactionCallback(state: DiscordState, config: RouteConfig, context: RouteContext): RouteResult {
  const { params, body, now } = context;
  const interaction = state.interactions.get(params.interaction!);
  if (interaction === undefined || interaction.token !== params.token)
    throw DiscordHttpError.notFound(10062, 'interaction');
  if (interaction.callback !== null)
    throw DiscordHttpError.coded(400, 40060, 'Interaction has already been acknowledged.');
  if (now - interaction.createdAt > config.interactionAckWindowMs)
    throw DiscordHttpError.notFound(10062, 'interaction');
  const type = Number(body.type);
  const data = (body.data ?? undefined) as Json | undefined;
  const allowed: Record<number, number[]> = {
    [CallbackType.Pong]: [InteractionType.Ping],
    [CallbackType.ChannelMessageWithSource]: [
      InteractionType.ApplicationCommand,
      InteractionType.MessageComponent,
      InteractionType.ModalSubmit,
    ],
    [CallbackType.DeferredChannelMessageWithSource]: [
      InteractionType.ApplicationCommand,
      InteractionType.MessageComponent,
      InteractionType.ModalSubmit,
    ],
    [CallbackType.DeferredUpdateMessage]: [InteractionType.MessageComponent, InteractionType.ModalSubmit],
    [CallbackType.UpdateMessage]: [InteractionType.MessageComponent, InteractionType.ModalSubmit],
    [CallbackType.AutocompleteResult]: [InteractionType.Autocomplete],
    [CallbackType.Modal]: [InteractionType.ApplicationCommand, InteractionType.MessageComponent],
  };
  if (!(allowed[type] ?? []).includes(interaction.type)) {
    throw DiscordHttpError.invalidFormBody({
      type: {
        _errors: [
          {
            code: 'INTERACTION_RESPONSE_TYPE_INVALID',
            message: `Interaction response type ${type} is not valid for this interaction`,
          },
        ],
      },
    });
  }
  const componentMessageId = (): string => String((interaction.payload.message as Json | undefined)?.id);
  switch (type) {
    case CallbackType.ChannelMessageWithSource: {
      validateMessage(data ?? {}, { requireContent: true });
      const message = state.createMessage({
        channelId: interaction.channelId,
        body: data ?? {},
        author: state.bot,
        type: COMMAND_MESSAGE_TYPE[interaction.type] ?? 0,
        webhookId: state.applicationId,
        interaction,
      });
      interaction.originalId = String(message.id);
      break;
    }
    case CallbackType.DeferredChannelMessageWithSource: {
      const message = state.createMessage({
        channelId: interaction.channelId,
        body: { content: '', flags: Number(data?.flags ?? 0) & EPHEMERAL },
        author: state.bot,
        type: COMMAND_MESSAGE_TYPE[interaction.type] ?? 0,
        webhookId: state.applicationId,
        interaction,
        extraFlags: MESSAGE_FLAG_LOADING,
      });
      interaction.originalId = String(message.id);
      break;
    }
    case CallbackType.DeferredUpdateMessage:
      interaction.originalId = componentMessageId();
      break;
    case CallbackType.UpdateMessage:
      validateMessage(data ?? {}, { requireContent: false });
      interaction.originalId = componentMessageId();
      state.editMessage(interaction.originalId, data ?? {});
      break;
    case CallbackType.AutocompleteResult:
      validateAutocompleteResult(data);
      break;
    case CallbackType.Modal:
      validateModal(data);
      break;
  }
  interaction.callback = { type, ...(data === undefined ? {} : { data }) };
  state.changed();
  if (context.query.get('with_response') !== 'true') return noContent();
  const message = interaction.originalId === null ? undefined : state.message(interaction.originalId)?.json;
  return ok({
    interaction: {
      id: interaction.id,
      type: interaction.type,
      activity_instance_id: null,
      response_message_id: message?.id ?? null,
      response_message_loading: type === CallbackType.DeferredChannelMessageWithSource,
      response_message_ephemeral: (Number(message?.flags ?? 0) & EPHEMERAL) !== 0,
    },
    resource: { type, ...(message === undefined ? {} : { message }) },
  });
}

function webhookRoutes(state: DiscordState, config: RouteConfig): RouteDefinition[] {
  type Target =
    { kind: 'interaction'; interaction: InteractionState } | { kind: 'channel'; webhook: FakeWebhook };
  const target = (params: Record<string, string>, now: number): Target => {
    if (params.webhook === state.applicationId) {
      return { kind: 'interaction', interaction: interactionFor(state, params.token!, config, now) };
    }
    const webhook = state.webhooks.get(params.webhook!);
    if (webhook === undefined) throw DiscordHttpError.notFound(10015, 'Webhook');
    if (webhook.token !== params.token) throw DiscordHttpError.coded(401, 50027, 'Invalid Webhook Token');
    return { kind: 'channel', webhook };
  };
  /** `thread_id`: a thread of the webhook's channel, where the message is (or goes). */
  const threadOf = (webhook: FakeWebhook, query: URLSearchParams): string | null => {
    const threadId = query.get('thread_id');
    if (threadId === null) return null;
    const thread = state.channel(threadId).channel;
    if (thread === undefined || !THREAD_TYPES.includes(thread.type) || thread.parentId !== webhook.channelId)
      throw DiscordHttpError.notFound(10003, 'Channel');
    return threadId;
  };
  const messageOf = (found: Target, messageId: string, query: URLSearchParams): string => {
    if (found.kind === 'interaction') {
      const { interaction } = found;
      const id = messageId === '@original' ? interaction.originalId : messageId;
      if (id === null || (id !== interaction.originalId && !interaction.followUpIds.includes(id))) {
        throw DiscordHttpError.notFound(10008, 'Message');
      }
      if (state.message(id) === undefined) throw DiscordHttpError.notFound(10008, 'Message');
      return id;
    }
    // A message in a thread is only found with that thread's thread_id, as on Discord.
    const channelId = threadOf(found.webhook, query) ?? found.webhook.channelId;
    const stored = state.message(messageId);
    if (stored === undefined || stored.json.webhook_id !== found.webhook.id || stored.channelId !== channelId)
      throw DiscordHttpError.notFound(10008, 'Message');
    return messageId;
  };
  /** Execute Webhook in a channel: thread_id, thread_name (forums), username and avatar_url overrides. */
  const executeInChannel = (webhook: FakeWebhook, body: Json, query: URLSearchParams): Json => {
    const channel = state.channel(webhook.channelId).channel!;
    const threadName = body.thread_name;
    if (query.get('thread_id') !== null && threadName !== undefined)
      throw DiscordHttpError.coded(
        400,
        220002,
        'Webhooks posted to forum channels cannot have both a thread_name and thread_id',
      );
    if (threadName !== undefined && !FORUM_TYPES.includes(channel.type))
      throw DiscordHttpError.coded(400, 220003, 'Webhooks can only create threads in forum channels');
    if (FORUM_TYPES.includes(channel.type) && threadName === undefined && query.get('thread_id') === null)
      throw DiscordHttpError.coded(
        400,
        220001,
        'Webhooks posted to forum channels must have a thread_name or thread_id',
      );
    if (body.username !== undefined) checkWebhookName('username', body.username);
    if (
      body.avatar_url !== undefined &&
      (typeof body.avatar_url !== 'string' || !/^https?:\/\//.test(body.avatar_url))
    ) {
      throw DiscordHttpError.invalidFormBody({
        avatar_url: { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] },
      });
    }
    if (threadName !== undefined) {
      if (typeof threadName !== 'string' || threadName.length < 1 || threadName.length > 100)
        throw DiscordHttpError.invalidFormBody({
          thread_name: {
            _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }],
          },
        });
    }
    let channelId = threadOf(webhook, query) ?? webhook.channelId;
    let starterId: string | undefined;
    if (typeof threadName === 'string') {
      // A forum post: a new thread whose starter message has the thread's id.
      starterId = state.ids.next();
      channelId = state.addChannel(webhook.guildId, {
        id: starterId,
        name: threadName,
        type: 11,
        parentId: webhook.channelId,
      }).id;
    }
    const author = { id: webhook.id, username: String(body.username ?? webhook.name), bot: true };
    return state.createMessage({
      channelId,
      body,
      author,
      webhookId: webhook.id,
      ...(starterId === undefined ? {} : { id: starterId }),
      ...(typeof body.avatar_url === 'string' ? { avatarUrl: body.avatar_url } : {}),
    });
  };
  const route = (method: string, template: string, handle: RouteDefinition['handle']): RouteDefinition => ({
    method,
    template,
    auth: 'none',
    bucket: 'webhooks',
    major: (params) => `${params.webhook}/${params.token}`,
    handle,
  });
  const managed = (method: string, handle: RouteDefinition['handle']): RouteDefinition => ({
    method,
    template: '/webhooks/:webhook',
    auth: 'bot',
    bucket: 'default',
    major: (params) => params.webhook!,
    handle,
  });
  const webhookById = (id: string): FakeWebhook => {
    const webhook = state.webhooks.get(id);
    if (webhook === undefined) throw DiscordHttpError.notFound(10015, 'Webhook');
    return webhook;
  };
  return [
    managed('GET', ({ params }) => {
      const webhook = webhookById(params.webhook!);
      requireManageWebhooks(state, webhook.channelId);
      return ok(state.webhookJson(webhook, true));
    }),
    managed('DELETE', ({ params }) => {
      const webhook = webhookById(params.webhook!);
      requireManageWebhooks(state, webhook.channelId);
      state.deleteWebhook(webhook.id);
      return noContent();
    }),
    route('GET', '/webhooks/:webhook/:token', ({ params, now }) => {
      const found = target(params, now);
      if (found.kind === 'interaction') throw DiscordHttpError.notFound(10015, 'Webhook');
      return ok(state.webhookJson(found.webhook, true));
    }),
    route('DELETE', '/webhooks/:webhook/:token', ({ params, now }) => {
      const found = target(params, now);
      if (found.kind === 'interaction') throw DiscordHttpError.notFound(10015, 'Webhook');
      state.deleteWebhook(found.webhook.id);
      return noContent();
    }),
    route('POST', '/webhooks/:webhook/:token', ({ params, body, query, now }) => {
      const found = target(params, now);
      validateMessage(body, { requireContent: true });
      let message: Json;
      if (found.kind === 'interaction') {
        message = state.createMessage({
          channelId: found.interaction.channelId,
          body,
          author: state.bot,
          webhookId: state.applicationId,
          interaction: found.interaction,
        });
        found.interaction.followUpIds.push(String(message.id));
      } else {
        message = executeInChannel(found.webhook, body, query);
      }
      state.changed();
      return query.get('wait') === 'true' ? ok(message) : noContent();
    }),
    route('GET', '/webhooks/:webhook/:token/messages/:message', ({ params, query, now }) => {
      const found = target(params, now);
      return ok(state.message(messageOf(found, params.message!, query))!.json);
    }),
    route('PATCH', '/webhooks/:webhook/:token/messages/:message', ({ params, body, query, now }) => {
      const found = target(params, now);
      const id = messageOf(found, params.message!, query);
      validateMessage(body, { requireContent: false });
      const edited = state.editMessage(id, body, { clearLoading: true });
      if (found.kind === 'interaction' && id === found.interaction.originalId) {
        found.interaction.edits.push(structuredClone(edited));
        state.changed();
      }
      return ok(edited);
    }),
    route('DELETE', '/webhooks/:webhook/:token/messages/:message', ({ params, query, now }) => {
      const found = target(params, now);
      state.deleteMessage(messageOf(found, params.message!, query));
      return noContent();
    }),
  ];
}

/** Thread `auto_archive_duration` values Discord accepts (minutes). */
const AUTO_ARCHIVE_DURATIONS = [60, 1440, 4320, 10080];
/** Message flags a forum post's starter message may set: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS. */
const FORUM_MESSAGE_FLAGS = (1 << 2) | (1 << 12);

/**
 * POST /channels/{id}/threads. In a forum or media channel ("Start Thread in Forum or Media Channel"): a
 * public thread named `name` (1–100) whose starter message (`message`, required, the usual message limits)
 * has the thread's id; Send Messages is needed (Create Public Threads is ignored); `applied_tags` must be
 * tags of the channel, and a channel with REQUIRE_TAG refuses a post without one (40067). Returns the thread
 * channel with the starter `message` nested. In a text or announcement channel ("Start Thread without
 * Message"): a thread of `type` (private unless 10/11 is asked for), no message. Anywhere else: 50024.
 */
function startThread(state: DiscordState, channelId: string, body: Json): Json {
  requireGuildChannelAccess(state, channelId, true);
  const { channel, guildId } = state.channel(channelId);
  if (channel === undefined || guildId === null)
    throw DiscordHttpError.coded(400, 50024, 'Cannot execute action on this channel type');
  const forum = FORUM_TYPES.includes(channel.type);
  if (!forum && channel.type !== 0 && channel.type !== 5)
    throw DiscordHttpError.coded(400, 50024, 'Cannot execute action on this channel type');
  const errors = new FormErrorCollector();
  if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100)
    errors.add(['name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  if (
    body.auto_archive_duration !== undefined &&
    !AUTO_ARCHIVE_DURATIONS.includes(Number(body.auto_archive_duration))
  ) {
    errors.add(
      ['auto_archive_duration'],
      'BASE_TYPE_CHOICES',
      'Value must be one of (60, 1440, 4320, 10080).',
    );
  }
  const message = body.message;
  if (forum) {
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      errors.add(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else if ((Number((message as Json).flags ?? 0) & ~FORUM_MESSAGE_FLAGS) !== 0)
      errors.add(['message', 'flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid flags.');
    const known = new Set((channel.availableTags ?? []).map((tag) => tag.id));
    const applied = Array.isArray(body.applied_tags) ? body.applied_tags.map(String) : [];
    if (applied.length > 5)
      errors.add(['applied_tags'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
    for (const [index, tag] of applied.entries())
      if (!known.has(tag)) errors.add(['applied_tags', index], 'TAG_INVALID', 'Unknown tag.');
    errors.throwIfAny();
    if (channel.requireTag === true && applied.length === 0)
      throw DiscordHttpError.coded(400, 40067, 'A tag is required to create a forum post in this channel');
    validateMessage(message as Json, { requireContent: true });
  }
  errors.throwIfAny();
  const threadType = forum ? 11 : channel.type === 5 ? 10 : Number(body.type) === 11 ? 11 : 12;
  const thread = state.addChannel(guildId, {
    name: String(body.name),
    type: threadType,
    parentId: channelId,
  });
  if (!forum) return channelJson(thread);
  // The starter message shares the thread's id (Discord's threads topic, "Creating Threads in Forum and
  // Media Channels").
  const starter = state.createMessage({
    channelId: thread.id,
    body: message as Json,
    author: state.bot,
    id: thread.id,
  });
  state.changed();
  return { ...channelJson(thread), message: starter };
}

function channelRoutes(state: DiscordState, config: RouteConfig): RouteDefinition[] {
  const route = (
    method: string,
    template: string,
    bucket: BucketName,
    handle: RouteDefinition['handle'],
  ): RouteDefinition => ({
    method,
    template,
    auth: 'bot',
    bucket,
    major: (params) => params.channel!,
    handle,
  });
  const ownMessage = (channelId: string, messageId: string): Json => {
    const stored = state.message(messageId);
    if (stored === undefined || stored.channelId !== channelId || stored.ephemeral)
      throw DiscordHttpError.notFound(10008, 'Message');
    return stored.json;
  };
  return [
    route('GET', '/channels/:channel', 'default', ({ params }) => {
      requireGuildChannelAccess(state, params.channel!, false);
      return ok(state.channel(params.channel!).json);
    }),
    route('GET', '/channels/:channel/messages', 'default', ({ params, query }) => {
      requireGuildChannelAccess(state, params.channel!, false);
      const limit = Number(query.get('limit') ?? 50);
      const before = query.get('before');
      const after = query.get('after');
      const errors = new FormErrorCollector();
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        errors.add(['limit'], 'NUMBER_TYPE_MAX', 'int value should be between 1 and 100.');
      }
      for (const [name, value] of [
        ['before', before],
        ['after', after],
      ] as const) {
        if (value !== null && !/^\d{1,20}$/.test(value))
          errors.add([name], 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`);
      }
      errors.throwIfAny();
      const all = state
        .channelMessages(params.channel!)
        .filter((message) => state.message(String(message.id))?.ephemeral !== true)
        .filter((message) => before === null || BigInt(String(message.id)) < BigInt(before))
        .filter((message) => after === null || BigInt(String(message.id)) > BigInt(after))
        .reverse();
      return ok(all.slice(0, limit));
    }),
    route('POST', '/channels/:channel/messages', 'channelMessages', ({ params, body, now }) => {
      requireGuildChannelAccess(state, params.channel!, true);
      // A forum or media channel holds only threads (posts): Discord refuses a message addressed to it.
      const target = state.channel(params.channel!).channel;
      if (target !== undefined && FORUM_TYPES.includes(target.type))
        throw DiscordHttpError.coded(400, 50008, 'Cannot send messages in a non-text channel');
      validateMessage(body, { requireContent: true });
      const nonceKey = body.nonce === undefined ? undefined : `${params.channel}:${String(body.nonce)}`;
      if (nonceKey !== undefined && body.enforce_nonce === true) {
        const previous = state.nonces.get(nonceKey);
        const existing = previous === undefined ? undefined : state.message(previous.messageId);
        if (previous !== undefined && existing !== undefined && now - previous.at <= config.nonceWindowMs)
          return ok(existing.json);
      }
      const message = state.createMessage({ channelId: params.channel!, body, author: state.bot });
      if (nonceKey !== undefined) state.nonces.set(nonceKey, { messageId: String(message.id), at: now });
      return ok(message);
    }),
    route('GET', '/channels/:channel/messages/:message', 'default', ({ params }) => {
      requireGuildChannelAccess(state, params.channel!, false);
      return ok(ownMessage(params.channel!, params.message!));
    }),
    route('PATCH', '/channels/:channel/messages/:message', 'default', ({ params, body }) => {
      requireGuildChannelAccess(state, params.channel!, true);
      const message = ownMessage(params.channel!, params.message!);
      if ((message.author as Json).id !== state.bot.id) {
        throw DiscordHttpError.coded(403, 50005, 'Cannot edit a message authored by another user');
      }
      validateMessage(body, { requireContent: false });
      return ok(state.editMessage(params.message!, body));
    }),
    route('DELETE', '/channels/:channel/messages/:message', 'default', ({ params }) => {
      requireGuildChannelAccess(state, params.channel!, true);
      ownMessage(params.channel!, params.message!);
      state.deleteMessage(params.message!);
      return noContent();
    }),
    route('POST', '/channels/:channel/threads', 'default', ({ params, body }) =>
      ok(startThread(state, params.channel!, body)),
    ),
    route('POST', '/channels/:channel/webhooks', 'default', ({ params, body }) => {
      requireManageWebhooks(state, params.channel!);
      const channel = state.channel(params.channel!).channel;
      if (channel === undefined || THREAD_TYPES.includes(channel.type))
        throw DiscordHttpError.coded(400, 50024, 'Cannot execute action on this channel type');
      checkWebhookName('name', body.name);
      const existing = [...state.webhooks.values()].filter((hook) => hook.channelId === params.channel);
      if (existing.length >= MAX_WEBHOOKS_PER_CHANNEL)
        throw DiscordHttpError.coded(
          400,
          30007,
          `Maximum number of webhooks reached (${MAX_WEBHOOKS_PER_CHANNEL})`,
        );
      return ok(state.webhookJson(state.createWebhook(params.channel!, String(body.name)), true));
    }),
    route('GET', '/channels/:channel/webhooks', 'default', ({ params }) => {
      requireManageWebhooks(state, params.channel!);
      return ok(
        [...state.webhooks.values()]
          .filter((hook) => hook.channelId === params.channel)
          .map((hook) => state.webhookJson(hook, true)),
      );
    }),
  ];
}

function guildRoutes(state: DiscordState): RouteDefinition[] {
  const route = (template: string, handle: RouteDefinition['handle']): RouteDefinition => ({
    method: 'GET',
    template,
    auth: 'bot',
    bucket: 'default',
    major: (params) => params.guild!,
    handle,
  });
  return [
    route('/guilds/:guild', ({ params, query }) => {
      const guild = state.guild(params.guild!);
      const counts =
        query.get('with_counts') === 'true'
          ? { approximate_member_count: guild.members.length, approximate_presence_count: 0 }
          : {};
      return ok({ ...guildJson(guild), ...counts });
    }),
    route('/guilds/:guild/channels', ({ params }) =>
      ok(state.guild(params.guild!).channels.map(channelJson)),
    ),
    route('/guilds/:guild/roles', ({ params }) => ok(state.guild(params.guild!).roles.map(roleJson))),
    route('/guilds/:guild/threads/active', ({ params }) =>
      ok({
        threads: state
          .guild(params.guild!)
          .channels.filter((channel) => THREAD_TYPES.includes(channel.type))
          .map(channelJson),
        members: [],
      }),
    ),
    route('/guilds/:guild/members/:user', ({ params }) => {
      const member = state
        .guild(params.guild!)
        .members.find((candidate) => candidate.user.id === params.user);
      if (member === undefined) throw DiscordHttpError.notFound(10007, 'Member');
      return ok(memberJson(member));
    }),
  ];
}

export function buildRoutes(state: DiscordState, config: RouteConfig): RouteDefinition[] {
  const simple = (method: string, template: string, handle: RouteDefinition['handle']): RouteDefinition => ({
    method,
    template,
    auth: 'bot',
    bucket: 'default',
    major: () => 'global',
    handle,
  });
  const application = (): Json => ({
    id: state.applicationId,
    name: state.bot.username,
    icon: null,
    description: '',
    bot_public: true,
    bot_require_code_grant: false,
    bot: userJson(state.bot),
    verify_key: '0'.repeat(64),
    flags: 0,
    team: null,
    owner: userJson(state.bot),
    approximate_guild_count: state.guilds.length,
    integration_types_config: { '0': {} },
  });
  return [
    { ...simple('GET', '/gateway', () => ok({ url: config.gatewayUrl() })), auth: 'none' },
    simple('GET', '/gateway/bot', () =>
      ok({
        url: config.gatewayUrl(),
        shards: config.shardCount(),
        session_start_limit: config.sessionStartLimit(),
      }),
    ),
    simple('GET', '/users/@me', () => ok({ ...userJson(state.bot), verified: true, mfa_enabled: false })),
    simple('GET', '/users/:user', ({ params }) => {
      const user = state.users.get(params.user!);
      if (user === undefined) throw DiscordHttpError.notFound(10013, 'User');
      return ok(userJson(user));
    }),
    simple('POST', '/users/@me/channels', ({ body }) => {
      const user = state.users.get(String(body.recipient_id));
      if (user === undefined) throw DiscordHttpError.notFound(10013, 'User');
      return ok(state.dmChannelFor(user));
    }),
    simple('GET', '/applications/@me', () => ok(application())),
    simple('GET', '/oauth2/applications/@me', () => ok(application())),
    ...commandRoutes(state, '/applications/:app/commands', () => null),
    ...commandRoutes(state, '/applications/:app/guilds/:guild/commands', (params) => params.guild!),
    {
      method: 'POST',
      template: '/interactions/:interaction/:token/callback',
      auth: 'none',
      bucket: 'interactionCallback',
      major: (params) => params.interaction!,
      handle: (context) => interactionCallback(state, config, context),
    },
    ...webhookRoutes(state, config),
    ...channelRoutes(state, config),
    ...guildRoutes(state),
  ];
}

export function matchRoute(
  routes: RouteDefinition[],
  method: string,
  path: string,
): { route: RouteDefinition; params: Record<string, string> } | undefined {
  const segments = path.split('/').filter((segment) => segment.length > 0);
  // Literal segments win over parameters (e.g. /users/@me over /users/:user).
  let best: { route: RouteDefinition; params: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.template.split('/').filter((segment) => segment.length > 0);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const matches = parts.every((part, index) => {
      const segment = segments[index]!;
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      literals += 1;
      return part === segment;
    });
    if (matches && (best === undefined || literals > best.literals)) best = { route, params, literals };
  }
  return best === undefined ? undefined : { route: best.route, params: best.params };
}
