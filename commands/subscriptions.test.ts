import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS } from '../src/subscriptions/subscriptionFilters.js';
import type { SubscriptionView } from '../src/subscriptions/SubscriptionView.js';
import { describeFilters, listMessage, subscriptionChoices } from './subscriptions.js';

function view(index: number, overrides: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    guildId: '200000000000000001',
    discordChannelId: `3000000000000${String(index).padStart(5, '0')}`,
    broadcasterId: String(1000 + index),
    channelName: `Channel${index}`,
    channelLogin: `channel${index}`,
    filters: DEFAULT_FILTERS,
    gameName: null,
    creatorName: null,
    timeZone: 'UTC',
    paused: false,
    pausedReason: null,
    createdByUserId: '400000000000000001',
    createdAt: new Date('2026-12-01T00:00:00Z'),
    postClipsSince: new Date('2026-12-01T00:00:00Z'),
    lastPostedAt: null,
    lastError: null,
    lastErrorAt: null,
    ...overrides,
  };
}

describe('listMessage', () => {
  it('never exceeds Discord’s message limits, and counts what it leaves out', () => {
    const views = Array.from({ length: 300 }, (_, i) =>
      view(i, {
        channelName: `N${'_'.repeat(120)}${i}`,
        gameName: 'G'.repeat(200),
        creatorName: '*'.repeat(100),
        filters: {
          ...DEFAULT_FILTERS,
          keywords: ['w'.repeat(40)],
          gameId: '1',
          creatorId: '2',
          minViews: 10,
        },
        lastError: 'x'.repeat(500),
        lastErrorAt: new Date(),
      }),
    );
    const message = listMessage(views, 1000);
    const embeds = message.embeds.map((embed) => embed.toJSON());
    expect(embeds.length).toBeGreaterThan(0);
    expect(embeds.length).toBeLessThanOrEqual(10);
    let characters = 0;
    let shown = 0;
    for (const embed of embeds) {
      expect(embed.fields!.length).toBeLessThanOrEqual(25);
      for (const field of embed.fields!) {
        expect(field.name.length).toBeLessThanOrEqual(256);
        expect(field.value.length).toBeLessThanOrEqual(1024);
        characters += field.name.length + field.value.length;
        shown += 1;
      }
      characters += (embed.title?.length ?? 0) + (embed.footer?.text.length ?? 0);
    }
    expect(characters).toBeLessThanOrEqual(6000);
    expect(embeds.at(-1)!.footer!.text).toBe(`${300 - shown} more not shown.`);
  });

  it('shows every subscription of a guild at the default quota, splitting fields across embeds', () => {
    const embeds = listMessage(
      Array.from({ length: 30 }, (_, i) => view(i)),
      30,
    ).embeds.map((embed) => embed.toJSON());
    expect(embeds.map((embed) => embed.fields!.length)).toEqual([25, 5]);
    expect(embeds[0]!.title).toBe('Clip subscriptions (30 of 30)');
    expect(embeds.some((embed) => embed.footer)).toBe(false);
  });

  it('shows when a digest subscription posts next, in the server’s time zone, and not for paused ones', () => {
    const now = new Date('2026-12-01T15:00:00Z');
    const daily = view(1, {
      timeZone: 'America/New_York',
      filters: { ...DEFAULT_FILTERS, mode: 'daily' },
    });
    const weekly = view(2, { timeZone: 'Asia/Tokyo', filters: { ...DEFAULT_FILTERS, mode: 'weekly' } });
    const paused = view(3, { filters: { ...DEFAULT_FILTERS, mode: 'daily' }, paused: true });
    const [field1, field2, field3, field4] = listMessage([daily, weekly, paused, view(4)], 25, now)
      .embeds[0]!.toJSON()
      .fields!.map((field) => field.value);
    // Midnight in New York (05:00 UTC in December) plus the 10-minute settle delay.
    const nyMidnight = Date.parse('2026-12-02T05:10:00Z') / 1000;
    expect(field1).toContain(`next digest <t:${nyMidnight}:f> (<t:${nyMidnight}:R>)`);
    // Monday 7 December 00:00 in Tokyo is Sunday 15:00 UTC.
    expect(field2).toContain(`next digest <t:${Date.parse('2026-12-06T15:10:00Z') / 1000}:f>`);
    expect(field3).not.toContain('next digest');
    expect(field4).not.toContain('next digest');
  });

  it('answers an empty list with a hint instead of an empty embed', () => {
    expect(listMessage([], 25)).toEqual({
      content: expect.stringContaining('/subscriptions add'),
      embeds: [],
    });
  });
});

describe('describeFilters', () => {
  it('escapes names that could format or ping, and mentions the role only by id', () => {
    const text = describeFilters(
      view(1, {
        filters: { ...DEFAULT_FILTERS, gameId: '1', creatorId: '2', mentionRoleId: '500000000000000001' },
        gameName: '**Bold** _game_',
        creatorName: '`tick` ~~x~~',
      }),
    );
    expect(text).toContain('game: \\*\\*Bold\\*\\* \\_game\\_');
    expect(text).toContain('clipped by \\`tick\\` \\~\\~x\\~\\~');
    expect(text).toContain('mentions <@&500000000000000001>');
  });

  it('describes digests and the absence of filters', () => {
    expect(describeFilters(view(1))).toBe('every new clip · all clips');
    expect(describeFilters(view(1, { filters: { ...DEFAULT_FILTERS, mode: 'weekly', digestSize: 3 } }))).toBe(
      'weekly digest of the top 3 · all clips',
    );
    expect(describeFilters(view(1, { filters: { ...DEFAULT_FILTERS, postAs: 'webhook' } }))).toBe(
      'every new clip · all clips · posted as the streamer (webhook)',
    );
  });
});

describe('subscriptionChoices', () => {
  it('matches the Twitch or Discord channel name and labels paused subscriptions', () => {
    const views = [
      view(1, { channelName: 'SpeedyRunner' }),
      view(2, { channelName: 'ChattyKat', paused: true }),
    ];
    const names = (id: string) => (id === views[1]!.discordChannelId ? 'clips' : 'general');
    expect(subscriptionChoices(views, 'CLIPS', names)).toEqual([
      { name: 'ChattyKat → #clips (paused)', value: views[1]!.id },
    ]);
    expect(subscriptionChoices(views, '', names)).toHaveLength(2);
    expect(subscriptionChoices(views, 'speedy', names)).toEqual([
      { name: 'SpeedyRunner → #general', value: views[0]!.id },
    ]);
  });
});
