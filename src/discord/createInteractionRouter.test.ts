import type { Interaction } from 'discord.js';
import pino from 'pino';
import { Registry, type Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Command, CommandDeps } from './Command.js';
import { createDiscordMetrics } from './createDiscordMetrics.js';
import { createInteractionRouter } from './createInteractionRouter.js';

// Minimal stand-ins for discord.js interactions: only what the router reads. The real client is exercised
// end to end in test/e2e/discordExperience.test.ts; this pins the dispatch rules cheaply.
function chatInput(options: { command: string; sub?: string; inGuild?: boolean }) {
  const replies: unknown[] = [];
  return {
    replies,
    interaction: {
      id: '1',
      locale: 'en-US',
      user: { id: 'u1' },
      commandName: options.command,
      deferred: false,
      replied: false,
      isChatInputCommand: () => true,
      inGuild: () => options.inGuild ?? true,
      options: { getSubcommand: () => options.sub ?? null, getSubcommandGroup: () => null },
      reply: async (payload: unknown) => {
        replies.push(payload);
      },
    },
  };
}

function router(commands: Command[], registry = new Registry()) {
  const deps = { logger: pino({ level: 'silent' }) } as unknown as CommandDeps;
  const metrics = createDiscordMetrics(registry);
  return createInteractionRouter({ commands, deps, metrics });
}

const data = { name: 'things', description: 'd' };

describe('the interaction router', () => {
  it('dispatches a sub-command to its handler', async () => {
    const calls: string[] = [];
    const route = router([
      {
        data,
        subcommands: { add: async () => void calls.push('add'), list: async () => void calls.push('list') },
      },
    ]);
    await route(chatInput({ command: 'things', sub: 'list' }).interaction as unknown as Interaction);
    expect(calls).toEqual(['list']);
  });

  it('counts and times each interaction by command, kind and outcome', async () => {
    const registry = new Registry();
    const route = router(
      [
        {
          data,
          subcommands: {
            slow: () => new Promise((resolve) => setTimeout(resolve, 30)),
            broken: async () => {
              throw new Error('boom');
            },
          },
        },
      ],
      registry,
    );
    await route(chatInput({ command: 'things', sub: 'slow' }).interaction as unknown as Interaction);
    await route(chatInput({ command: 'things', sub: 'broken' }).interaction as unknown as Interaction);
    const histogram = await (
      registry.getSingleMetric('tcs_discord_interaction_duration_seconds') as Histogram
    ).get();
    const sums = Object.fromEntries(
      histogram.values
        .filter((value) => value.metricName === 'tcs_discord_interaction_duration_seconds_sum')
        .map((value) => [value.labels.outcome, value.value]),
    );
    expect(sums.ok).toBeGreaterThanOrEqual(0.025);
    expect(sums.error).toBeGreaterThanOrEqual(0);
    const counter = await registry.getSingleMetric('tcs_discord_interactions_total')!.get();
    expect(counter.values.map((value) => [value.labels.outcome, value.value])).toEqual([
      ['ok', 1],
      ['error', 1],
    ]);
  });

  it('refuses a guild-only command in a DM without running it', async () => {
    const calls: string[] = [];
    const route = router([{ data, guildOnly: true, execute: async () => void calls.push('ran') }]);
    const { interaction, replies } = chatInput({ command: 'things', inGuild: false });
    await route(interaction as unknown as Interaction);
    expect(calls).toEqual([]);
    expect(replies).toEqual([
      { content: 'This command only works in a server, not in direct messages.', flags: 64 },
    ]);
  });

  it('answers autocomplete within Discord limits whatever the completer returns', async () => {
    let answered: Array<{ name: string; value: string }> = [];
    const route = router([
      {
        data,
        subcommands: {},
        autocomplete: {
          channel: async () =>
            Array.from({ length: 40 }, (_, i) => ({
              name: `@everyone ${'x'.repeat(200)}`,
              value: `${i}`.repeat(150),
            })),
        },
      },
    ]);
    await route({
      commandName: 'things',
      locale: 'en-US',
      user: { id: 'u1' },
      responded: false,
      isChatInputCommand: () => false,
      isAutocomplete: () => true,
      options: {
        getFocused: () => ({ name: 'channel', value: 'ev' }),
        getSubcommand: () => 'search',
        getSubcommandGroup: () => null,
      },
      respond: async (choices: Array<{ name: string; value: string }>) => {
        answered = choices;
      },
    } as unknown as Interaction);
    expect(answered).toHaveLength(25);
    for (const choice of answered) {
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(choice.value.length).toBeLessThanOrEqual(100);
      expect(choice.name.startsWith('@\u200Beveryone')).toBe(true);
    }
  });
});
