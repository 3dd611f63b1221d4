// Contract: the unmodified discord.js Client logs in to the fake, caches its guilds, receives interactions
// and answers them, and survives dropped connections, op 7 and op 9 exactly as against Discord.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  TextInputBuilder,
  TextInputStyle,
  Routes,
  type Interaction,
} from 'discord.js';
import { REST } from '@discordjs/rest';
import { startFakeDiscord, type FakeDiscord } from './index.js';

let fake: FakeDiscord;
let client: Client;
const received: Interaction[] = [];
const handlerErrors: unknown[] = [];

async function handle(interaction: Interaction): Promise<void> {
  received.push(interaction);
  if (interaction.isAutocomplete()) {
    const typed = interaction.options.getFocused();
    await interaction.respond([{ name: `result for ${typed}`, value: typed }]);
    return;
  }
  if (interaction.isButton() && interaction.customId === 'refresh') {
    await interaction.deferUpdate();
    await interaction.editReply({ content: 'refreshed', components: [] });
    return;
  }
  if (interaction.isButton()) {
    await interaction.update({ content: `clicked ${interaction.customId}`, components: [] });
    return;
  }
  if (interaction.isModalSubmit()) {
    await interaction.reply({
      content: `thanks: ${interaction.fields.getTextInputValue('comment')}`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  switch (interaction.commandName) {
    case 'ping': {
      const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('again').setLabel('Again').setStyle(ButtonStyle.Primary),
      );
      await interaction.reply({ content: 'pong', components: [row] });
      return;
    }
    case 'slow':
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply(
        `found ${interaction.options.getSubcommand()} ${interaction.options.getString('query')}`,
      );
      await interaction.followUp({ content: 'page 2', flags: MessageFlags.Ephemeral });
      return;
    case 'whoami':
      await interaction.reply(
        `guild=${interaction.inGuild()} manage=${interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? 'n/a'} user=${interaction.user.username}`,
      );
      return;
    case 'feedback': {
      const modal = new ModalBuilder()
        .setCustomId('feedback-modal')
        .setTitle('Feedback')
        .addComponents(
          new ActionRowBuilder<TextInputBuilder>().addComponents(
            new TextInputBuilder().setCustomId('comment').setLabel('Comment').setStyle(TextInputStyle.Short),
          ),
        );
      await interaction.showModal(modal);
      return;
    }
    case 'whois': {
      const target = interaction.options.getUser('target', true);
      const channel = interaction.options.getChannel('where');
      await interaction.reply(`${target.username} in ${channel?.name ?? 'nowhere'}`);
      return;
    }
    case 'cleanup': {
      await interaction.reply('temporary');
      const followUp = await interaction.followUp('follow-up v1');
      await interaction.editReply({ message: followUp.id, content: 'follow-up v2' });
      await interaction.deleteReply();
      return;
    }
    case 'too-long':
      await interaction.reply('x'.repeat(2001));
      return;
  }
}

beforeAll(async () => {
  fake = await startFakeDiscord({ heartbeatIntervalMs: 300 });
  client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: fake.restUrl, version: '10' },
    // Discord allows one IDENTIFY per 5 s; the fake does not enforce it, so tests skip discord.js's wait.
    ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) },
  });
  client.on(Events.InteractionCreate, (interaction) => {
    handle(interaction).catch((error: unknown) => handlerErrors.push(error));
  });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
});

afterAll(async () => {
  await client?.destroy();
  await fake?.close();
});

describe('fake Discord with the real discord.js Client', () => {
  it('logs in, fetches /gateway/bot, identifies and caches the default guild with its channels and roles', () => {
    const { guild, general, clips, moderatorRole } = fake.fixtures;
    const cached = client.guilds.cache.get(guild.id);
    expect(client.user?.id).toBe(fake.bot.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(cached?.name).toBe('Clip Fans');
    expect(cached?.channels.cache.get(general.id)?.name).toBe('general');
    expect(cached?.channels.cache.get(clips.id)?.isTextBased()).toBe(true);
    expect(cached?.roles.cache.get(moderatorRole.id)?.permissions.has(PermissionFlagsBits.ManageGuild)).toBe(
      true,
    );
    expect(fake.findRequests('GET /gateway/bot')).toHaveLength(1);
    expect(fake.gateway.handshakes[0]).toMatchObject({ op: 'identify', intents: GatewayIntentBits.Guilds });
  });

  it('acknowledges heartbeats so the client measures a ping', async () => {
    const before = fake.gateway.heartbeatsReceived;
    await expect.poll(() => fake.gateway.heartbeatsReceived, { timeout: 2000 }).toBeGreaterThan(before + 1);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('delivers a slash command and records the reply with its buttons, then a click that updates it', async () => {
    const reply = fake.interact.slashCommand({ name: 'ping' });
    const callback = await reply.callback();
    expect(callback.type).toBe(4);
    const message = await reply.finalMessage();
    expect(message.content).toBe('pong');
    expect(message.components).toHaveLength(1);

    const click = fake.interact.component({
      customId: 'again',
      message: String(message.id),
      user: fake.fixtures.owner,
    });
    expect((await click.callback()).type).toBe(7);
    expect((await click.finalMessage()).content).toBe('clicked again');
    expect(
      fake.messagesIn(fake.fixtures.general.id).find((posted) => posted.id === message.id)?.content,
    ).toBe('clicked again');
  });

  it('handles deferReply, editReply and followUp with subcommand options', async () => {
    const reply = fake.interact.slashCommand({
      name: 'slow',
      subcommand: 'clips',
      options: { query: 'ace' },
    });
    const deferred = await reply.callback();
    expect(deferred).toEqual({ type: 5, data: { flags: MessageFlags.Ephemeral } });
    const edit = await reply.waitForEdit((message) => String(message.content).startsWith('found'));
    expect(edit.content).toBe('found clips ace');
    const followUp = await reply.waitForFollowUp();
    expect(followUp.content).toBe('page 2');
    expect(Number(followUp.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect((await reply.finalMessage()).content).toBe('found clips ace');
  });

  it('records a deferred update on a button followed by an edit of the clicked message', async () => {
    const posted = await fake.waitForMessage(fake.fixtures.general.id);
    const click = fake.interact.component({ customId: 'refresh', message: String(posted.id) });
    expect((await click.callback()).type).toBe(6);
    const edit = await click.waitForEdit();
    expect(edit).toMatchObject({ id: posted.id, content: 'refreshed' });
  });

  it('shows a modal and receives its submission', async () => {
    const open = fake.interact.slashCommand({ name: 'feedback' });
    const modal = await open.callback();
    expect(modal).toMatchObject({ type: 9, data: { custom_id: 'feedback-modal', title: 'Feedback' } });
    const submit = fake.interact.modalSubmit({
      customId: 'feedback-modal',
      fields: { comment: 'great bot' },
    });
    const answer = await submit.finalMessage();
    expect(answer.content).toBe('thanks: great bot');
    expect(Number(answer.flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  });

  it('resolves user and channel options so getUser and getChannel work', async () => {
    const { moderator, clips } = fake.fixtures;
    await new REST({ api: fake.restUrl, version: '10' })
      .setToken(fake.token)
      .put(Routes.applicationCommands(fake.applicationId), {
        body: [
          {
            name: 'whois',
            description: 'Who is',
            options: [
              { type: 6, name: 'target', description: 'User', required: true },
              { type: 7, name: 'where', description: 'Channel' },
            ],
          },
        ],
      });
    const reply = fake.interact.slashCommand({
      name: 'whois',
      options: { target: moderator.id, where: clips.id },
    });
    expect((await reply.finalMessage()).content).toBe('moderator in clips');
  });

  it('edits a follow-up by id and deletes the original reply', async () => {
    const reply = fake.interact.slashCommand({ name: 'cleanup' });
    await fake.waitForRequest({
      method: 'DELETE',
      path: `/webhooks/${fake.applicationId}/${reply.token}/messages/@original`,
    });
    expect(reply.original).toBeNull();
    expect(reply.followUps.map((message) => message.content)).toEqual(['follow-up v2']);
  });

  it('answers autocomplete with choices', async () => {
    const request = fake.interact.autocomplete({
      name: 'search',
      options: { query: 'pent' },
      focused: 'query',
    });
    expect(await request.autocompleteChoices()).toEqual([{ name: 'result for pent', value: 'pent' }]);
  });

  it('sends member permissions with and without Manage Guild, and DMs with a user instead of a member', async () => {
    const moderator = fake.interact.slashCommand({ name: 'whoami', user: fake.fixtures.moderator });
    expect((await moderator.finalMessage()).content).toBe('guild=true manage=true user=moderator');
    const member = fake.interact.slashCommand({ name: 'whoami', user: fake.fixtures.member });
    expect((await member.finalMessage()).content).toBe('guild=true manage=false user=regular-member');
    const overridden = fake.interact.slashCommand({
      name: 'whoami',
      user: fake.fixtures.moderator,
      permissions: 0n,
    });
    expect((await overridden.finalMessage()).content).toBe('guild=true manage=false user=moderator');
    const dm = fake.interact.slashCommand({ name: 'whoami', guildId: null, user: fake.fixtures.member });
    expect(dm.payload.user).toBeDefined();
    expect(dm.payload.member).toBeUndefined();
    expect((await dm.finalMessage()).content).toBe('guild=false manage=n/a user=regular-member');
  });

  it('rejects an invalid reply with Discord error 50035, which discord.js surfaces as DiscordAPIError', async () => {
    const before = handlerErrors.length;
    const reply = fake.interact.slashCommand({ name: 'too-long' });
    await fake.waitForRequest({ method: 'POST', path: `/interactions/${reply.id}/*/callback`, status: 400 });
    await expect.poll(() => handlerErrors.length).toBe(before + 1);
    const error = handlerErrors.at(-1);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect(reply.state.callback).toBeNull();
  });

  it('resumes on resume_gateway_url after a dropped connection and replays the missed interaction', async () => {
    const resumesBefore = fake.gateway.handshakes.filter((handshake) => handshake.op === 'resume').length;
    fake.dropConnection();
    // Dispatched while the client is offline: Discord buffers it and replays it on RESUME.
    const missed = fake.interact.slashCommand({ name: 'ping' });
    expect((await missed.finalMessage()).content).toBe('pong');
    const resumes = fake.gateway.handshakes.filter((handshake) => handshake.op === 'resume');
    expect(resumes.length).toBe(resumesBefore + 1);
    expect(resumes.at(-1)?.replayed).toBeGreaterThanOrEqual(1);
    expect(fake.gateway.connections.at(-1)?.path).toBe('/gateway-resume');
  });

  it('reconnects and resumes when told to with op 7', async () => {
    const resumesBefore = fake.gateway.handshakes.filter((handshake) => handshake.op === 'resume').length;
    fake.forceReconnect();
    await expect
      .poll(() => fake.gateway.handshakes.filter((handshake) => handshake.op === 'resume').length)
      .toBe(resumesBefore + 1);
    await fake.waitForGatewaySession();
    expect((await fake.interact.slashCommand({ name: 'ping' }).finalMessage()).content).toBe('pong');
  });

  it('identifies again after a non-resumable op 9 and still receives interactions', async () => {
    const identifiesBefore = fake.gateway.handshakes.filter(
      (handshake) => handshake.op === 'identify',
    ).length;
    fake.invalidateSession(false);
    await expect
      .poll(() => fake.gateway.handshakes.filter((handshake) => handshake.op === 'identify').length, {
        timeout: 5000,
      })
      .toBe(identifiesBefore + 1);
    await fake.waitForGatewaySession();
    expect((await fake.interact.slashCommand({ name: 'ping' }).finalMessage()).content).toBe('pong');
  });

  it('resumes on the same socket after a resumable op 9', async () => {
    const resumesBefore = fake.gateway.handshakes.filter((handshake) => handshake.op === 'resume').length;
    fake.invalidateSession(true);
    await expect
      .poll(() => fake.gateway.handshakes.filter((handshake) => handshake.op === 'resume').length)
      .toBe(resumesBefore + 1);
    expect((await fake.interact.slashCommand({ name: 'ping' }).finalMessage()).content).toBe('pong');
  });

  it('announces a guild added later with GUILD_CREATE', async () => {
    const guild = fake.addGuild({ name: 'Second Guild', channels: [{ name: 'lobby' }] });
    await expect.poll(() => client.guilds.cache.get(guild.id)?.channels.cache.size).toBe(1);
  });

  it('forgets the session of a client that destroys itself, as Discord does after close code 1000', async () => {
    const second = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: fake.restUrl, version: '10' },
      ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) },
    });
    const ready = once(second, Events.ClientReady);
    await second.login(fake.token);
    await ready;
    const sessions = fake.gateway.sessionCount;
    await second.destroy();
    await expect.poll(() => fake.gateway.sessionCount).toBe(sessions - 1);
  });

  it('rejects a wrong token at login like Discord (401 → TokenInvalid)', async () => {
    const intruder = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: fake.restUrl, version: '10' },
    });
    await expect(intruder.login('not-the-token')).rejects.toThrow(/invalid token/i);
    await intruder.destroy();
  });

  it('closes the gateway with 4014 when privileged intents were not granted', async () => {
    const greedy = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
      rest: { api: fake.restUrl, version: '10' },
    });
    greedy.on(Events.Error, () => undefined);
    greedy.login(fake.token).catch(() => undefined);
    await expect
      .poll(() => fake.gateway.handshakes.at(-1))
      .toMatchObject({
        intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMembers,
        rejectedWith: 4014,
      });
    await greedy.destroy();
  });
});

describe('fake Discord gateway options', () => {
  it('sends every member with a granted GUILD_MEMBERS intent and splits guilds over two shards', async () => {
    // max_concurrency 2: both shards may identify at once, so the client's throttler can let them.
    const sharded = await startFakeDiscord({
      shardCount: 2,
      maxConcurrency: 2,
      privilegedIntents: GatewayIntentBits.GuildMembers,
    });
    // Ids with consecutive timestamps, so both shards ((guild_id >> 22) % 2) own some.
    const extra = Array.from({ length: 4 }, (_, index) =>
      sharded.addGuild({ id: String((1_000_000_000_000n + BigInt(index)) << 22n), name: `Guild ${index}` }),
    );
    const bot = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
      shards: 'auto',
      rest: { api: sharded.restUrl, version: '10' },
      ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) },
    });
    try {
      const ready = once(bot, Events.ClientReady);
      await bot.login(sharded.token);
      await ready;
      expect(bot.ws.shards.size).toBe(2);
      expect(bot.guilds.cache.size).toBe(1 + extra.length);
      const shardsUsed = new Set(bot.guilds.cache.map((guild) => guild.shardId));
      expect(shardsUsed.size).toBe(2);
      expect(bot.guilds.cache.get(sharded.fixtures.guild.id)?.members.cache.size).toBe(4);
      const reply = sharded.interact.slashCommand({ name: 'anything', guildId: extra[0]!.id });
      expect(reply.state.dispatchedTo).toBe(1);
    } finally {
      await bot.destroy();
      await sharded.close();
    }
  });
});
