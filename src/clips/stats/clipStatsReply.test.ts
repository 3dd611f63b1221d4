import { describe, expect, it } from 'vitest';
import type { ChannelClipStats } from './ChannelClipStats.js';
import { buildClipStatsReply, CLIP_STATS_FILE_NAME } from './clipStatsReply.js';

const chart = { png: Buffer.from('not really a png'), width: 1200, height: 700 };

function stats(overrides: Partial<ChannelClipStats> = {}): ChannelClipStats {
  return {
    broadcasterId: '3001',
    period: 'week',
    unit: 'day',
    from: new Date('2026-10-29T00:00:00Z'),
    to: new Date('2026-11-04T15:30:00Z'),
    buckets: [],
    totals: { clips: 1234, views: 56789, clippers: 1, games: 2 },
    topClippers: [{ creatorId: '1', creatorName: 'alice', clips: 1234, views: 56789 }],
    topGames: [
      { gameId: '32399', gameName: 'Counter-Strike', clips: 1000, views: 50000 },
      { gameId: null, gameName: null, clips: 234, views: 6789 },
    ],
    ...overrides,
  };
}

/** Discord's total limit counts title, description, field names and values, footer text and author name. */
function embedCharacters(embed: ReturnType<typeof buildClipStatsReply>['embeds'][number]): number {
  const data = embed.toJSON();
  return (
    (data.title?.length ?? 0) +
    (data.description?.length ?? 0) +
    (data.footer?.text.length ?? 0) +
    (data.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

describe('buildClipStatsReply', () => {
  it('shows the attached chart in an embed with the totals and top lists', () => {
    const reply = buildClipStatsReply(stats(), chart, {
      channelName: 'StatsChannel',
      periodLabel: 'Last 7 days',
    });
    const embed = reply.embeds[0]!.toJSON();
    expect(embed.title).toBe('Clip stats: StatsChannel · Last 7 days');
    expect(embed.description).toBe('**1,234** clips · **56,789** views · **1** clipper · **2** games');
    expect(embed.image?.url).toBe(`attachment://${CLIP_STATS_FILE_NAME}`);
    expect(embed.timestamp).toBe('2026-11-04T15:30:00.000Z');
    expect(embed.fields).toEqual([
      { name: 'Top clippers', value: '1. alice — 1,234 clips, 56,789 views', inline: true },
      {
        name: 'Most-clipped games',
        value: '1. Counter-Strike — 1,000 clips, 50,000 views\n2. No category — 234 clips, 6,789 views',
        inline: true,
      },
    ]);

    expect(reply.files).toHaveLength(1);
    const file = reply.files[0]!;
    expect(file.name).toBe(CLIP_STATS_FILE_NAME);
    expect(file.attachment).toBe(chart.png);
    expect(file.description).toContain('Chart of clips and views per day for StatsChannel, Last 7 days');
    expect(reply.allowedMentions).toEqual({ parse: [] });
  });

  it('escapes markdown, masked links and mentions in every name', () => {
    const reply = buildClipStatsReply(
      stats({
        topClippers: [{ creatorId: '1', creatorName: '**bold** <@123> @everyone', clips: 1, views: 1 }],
        topGames: [{ gameId: '1', gameName: '[free nitro](https://evil.example)', clips: 1, views: 1 }],
      }),
      chart,
      { channelName: '__under__ ||spoiler||', periodLabel: 'Last `7` days' },
    );
    const embed = reply.embeds[0]!.toJSON();
    expect(embed.title).toBe('Clip stats: \\_\\_under\\_\\_ \\|\\|spoiler\\|\\| · Last \\`7\\` days');
    expect(embed.fields?.[0]?.value).toBe('1. \\*\\*bold\\*\\* \\<\\@123> \\@everyone — 1 clip, 1 view');
    expect(embed.fields?.[1]?.value).toBe('1. \\[free nitro](https://evil.example) — 1 clip, 1 view');
  });

  it('stays within Discord limits with the longest names', () => {
    const long = '👨‍👩‍👧*'.repeat(500);
    const reply = buildClipStatsReply(
      stats({
        topClippers: Array.from({ length: 5 }, (_, i) => ({
          creatorId: `${i}`,
          creatorName: long,
          clips: 1e9,
          views: 1e15,
        })),
        topGames: Array.from({ length: 5 }, (_, i) => ({
          gameId: `${i}`,
          gameName: long,
          clips: 1e9,
          views: 1e15,
        })),
      }),
      chart,
      { channelName: long, periodLabel: long },
    );
    const embed = reply.embeds[0]!.toJSON();
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    for (const field of embed.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(1024);
    expect(embed.fields?.[0]?.value.split('\n')).toHaveLength(5);
    expect(embedCharacters(reply.embeds[0]!)).toBeLessThanOrEqual(6000);
    expect(reply.files[0]!.description!.length).toBeLessThanOrEqual(1024);
    // A cut never splits the family emoji into its parts.
    expect(embed.title).not.toMatch(/\u200d…/);
  });

  it('says so when nothing was clipped and leaves the lists out', () => {
    const reply = buildClipStatsReply(
      stats({ totals: { clips: 0, views: 0, clippers: 0, games: 0 }, topClippers: [], topGames: [] }),
      chart,
      { channelName: 'QuietChannel', periodLabel: 'All time' },
    );
    const embed = reply.embeds[0]!.toJSON();
    expect(embed.description).toBe('No clips in this period.');
    expect(embed.fields ?? []).toEqual([]);
    expect(embed.image?.url).toBe(`attachment://${CLIP_STATS_FILE_NAME}`);
  });
});
