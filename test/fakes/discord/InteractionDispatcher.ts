// Builds INTERACTION_CREATE payloads the way Discord does, sends them over the gateway, and hands tests a
// handle that follows the bot's answer.
import { randomBytes } from 'node:crypto';
import type { DiscordState } from './DiscordState.js';
import type { FakeGateway } from './FakeGateway.js';
import type { FakeGuild, FakeUser } from './fixtures.js';
import { InteractionHandle } from './InteractionHandle.js';
import {
  buildOptions,
  buildResolved,
  interactionBase,
  InteractionType,
  resolveContext,
  type AutocompleteInput,
  type ComponentInput,
  type InteractionContext,
  type InteractionState,
  type ModalSubmitInput,
  type SlashCommandInput,
} from './interactions.js';
import type { SnowflakeGenerator } from './snowflake.js';

type Json = Record<string, unknown>;

export interface InteractionDispatcherDeps {
  state: DiscordState;
  gateway: FakeGateway;
  ids: SnowflakeGenerator;
  waitTimeoutMs: number;
  /** Where interactions happen and who invokes them when a test does not say. */
  defaults: () => { guild?: FakeGuild; user?: FakeUser };
}

export class InteractionDispatcher {
  constructor(private readonly deps: InteractionDispatcherDeps) {}

  /** A chat input command (type 2), with options, subcommands and `data.resolved`. */
  slashCommand(input: SlashCommandInput): InteractionHandle {
    return this.#dispatch(input, InteractionType.ApplicationCommand, (context) =>
      this.#commandData(input, context),
    );
  }

  /** Autocomplete (type 4): the `focused` option is flagged as Discord does. */
  autocomplete(input: AutocompleteInput): InteractionHandle {
    return this.#dispatch(input, InteractionType.Autocomplete, (context) =>
      this.#commandData(input, context, input.focused),
    );
  }

  /** A button or select click (type 3) on a message the fake knows or the test supplies. */
  component(input: ComponentInput): InteractionHandle {
    return this.#dispatchComponent(input);
  }

  /** A modal submission (type 5). */
  modalSubmit(input: ModalSubmitInput): InteractionHandle {
    return this.#dispatchModalSubmit(input);
  }

  #resolve(input: InteractionContext): ReturnType<typeof resolveContext> {
    const defaultGuild = this.deps.defaults().guild ?? this.deps.state.guilds[0];
    if (defaultGuild === undefined && input.guildId !== null)
      throw new Error('fake discord: no guild to interact in');
    return resolveContext({
      input,
      guilds: this.deps.state.guilds,
      defaultGuild: defaultGuild!,
      defaultUser: this.deps.defaults().user ?? this.deps.state.bot,
      bot: this.deps.state.bot,
      dmChannelFor: (user) => this.deps.state.dmChannelFor(user),
    });
  }

  #commandData(input: SlashCommandInput, context: ReturnType<typeof resolveContext>, focused?: string): Json {
    const guildCommand =
      context.guild === null
        ? undefined
        : [...(this.deps.state.guildCommands.get(context.guild.id)?.values() ?? [])].find(
            (command) => command.name === input.name,
          );
    const command =
      guildCommand ??
      [...this.deps.state.globalCommands.values()].find((command) => command.name === input.name);
    const options = buildOptions(input, command, focused);
    const resolved = buildResolved(options, context, this.deps.state.users);
    return {
      id: command?.id ?? this.deps.ids.next(),
      name: input.name,
      type: 1,
      ...(guildCommand === undefined ? {} : { guild_id: context.guild!.id }),
      options,
      ...(resolved === undefined ? {} : { resolved }),
    };
  }

  #register(payload: Json, context: ReturnType<typeof resolveContext>, type: number): InteractionHandle {
    const state: InteractionState = {
      id: String(payload.id),
      token: String(payload.token),
      type,
      payload,
      createdAt: Date.now(),
      channelId: String((context.channel as Json).id),
      guildId: context.guild?.id ?? null,
      callback: null,
      originalId: null,
      edits: [],
      followUpIds: [],
      dispatchedTo: 0,
    };
    this.deps.state.interactions.set(state.id, state);
    this.deps.state.interactionsByToken.set(state.token, state);
    state.dispatchedTo = this.deps.gateway.dispatch('INTERACTION_CREATE', payload, context.guild?.id);
    this.deps.state.changed();
    return new InteractionHandle(
      state,
      {
        message: (id) => this.deps.state.message(id)?.json,
        waitUntil: (...args) => this.deps.state.waitUntil(...args),
      },
      this.deps.waitTimeoutMs,
    );
  }

  #dispatch(
    input: InteractionContext,
    type: number,
    data: (context: ReturnType<typeof resolveContext>) => Json,
  ): InteractionHandle {
    const context = this.#resolve(input);
    const payload = interactionBase({
      id: this.deps.ids.next(),
      token: `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`,
      type,
      applicationId: this.deps.state.applicationId,
      context,
      data: data(context),
    });
    return this.#register(payload, context, type);
  }

  #dispatchComponent(input: ComponentInput): InteractionHandle {
    const known =
      typeof input.message === 'string'
        ? this.deps.state.message(input.message)?.json
        : this.deps.state.adoptMessage(input.message);
    if (known === undefined) throw new Error(`fake discord: unknown message ${String(input.message)}`);
    const channelId = String(known.channel_id);
    const guildId = this.deps.state.channel(channelId).guildId;
    const context = this.#resolve({ ...input, channelId, guildId });
    const componentType = input.componentType ?? 2;
    const payload = interactionBase({
      id: this.deps.ids.next(),
      token: `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`,
      type: InteractionType.MessageComponent,
      applicationId: this.deps.state.applicationId,
      context,
      data: {
        custom_id: input.customId,
        component_type: componentType,
        ...(componentType === 2 ? {} : { values: input.values ?? [] }),
      },
    });
    payload.message = known;
    return this.#register(payload, context, InteractionType.MessageComponent);
  }

  #dispatchModalSubmit(input: ModalSubmitInput): InteractionHandle {
    const message =
      input.message === undefined
        ? undefined
        : typeof input.message === 'string'
          ? this.deps.state.message(input.message)?.json
          : this.deps.state.adoptMessage(input.message);
    const context = this.#resolve(
      message === undefined
        ? input
        : {
            ...input,
            channelId: String(message.channel_id),
            guildId: this.deps.state.channel(String(message.channel_id)).guildId,
          },
    );
    const payload = interactionBase({
      id: this.deps.ids.next(),
      token: `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`,
      type: InteractionType.ModalSubmit,
      applicationId: this.deps.state.applicationId,
      context,
      data: {
        custom_id: input.customId,
        components: Object.entries(input.fields).map(([customId, value]) => ({
          type: 1,
          components: [{ type: 4, custom_id: customId, value }],
        })),
      },
    });
    if (message !== undefined) payload.message = message;
    return this.#register(payload, context, InteractionType.ModalSubmit);
  }
}
