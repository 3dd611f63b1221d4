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
  PermissionFlagsBits,
  type Interaction,
} from 'discord.js';
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
  if (interaction.isButton()) {
    await interaction.update({ content: `clicked ${interaction.customId}`, components: [] });
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
