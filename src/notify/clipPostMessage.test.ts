import { describe, expect, it } from 'vitest';
import {
  buildClipPost,
  buildSubscriptionTestPost,
  embedCharacters,
  escapeTwitchText,
  formatAlsoClippedBy,
  formatDuration,
  type ClipPostClip,
} from './clipPostMessage.js';

const clip = (overrides: Partial<ClipPostClip> = {}): ClipPostClip => ({
  title: 'insane clutch',
  url: 'https://clips.twitch.tv/AwkwardClip',
  thumbnailUrl: 'https://clips-media.example/thumb.jpg',
  viewCount: 12_345,
  durationSec: 29.6,
  createdAt: new Date('2026-01-02T03:04:05Z'),
  broadcasterName: 'Streamer',
  gameName: 'Chess',
  creatorName: 'clipper',
  ...overrides,
});

describe('buildClipPost', () => {
  it('shows one clip as a linked title with channel, game, clipper, views, duration, time and image', () => {
    const post = buildClipPost({ clips: [clip()], marker: 'tcs1abc' });
    expect(post.content).toBeUndefined();
    expect(post.embeds).toHaveLength(1);
    const embed = post.embeds![0]!;
    expect(embed).toMatchObject({
      title: 'insane clutch',
      url: 'https://clips.twitch.tv/AwkwardClip',
      timestamp: '2026-01-02T03:04:05.000Z',
      image: { url: 'https://clips-media.example/thumb.jpg' },
      footer: { text: 'TwitchClipSearch · tcs1abc' },
    });
    expect(Object.fromEntries(embed.fields!.map((field) => [field.name, field.value]))).toEqual({
      Channel: 'Streamer',
      Game: 'Chess',
      'Clipped by': 'clipper',
      Views: '12,345',
      Duration: '0:30',
    });
  });

  it('lets nothing ping except the configured role', () => {
    const post = buildClipPost({
      clips: [clip({ title: '@everyone <@&123456789012345678> free stuff' })],
      mentionRoleIds: ['987654321098765432'],
    });
    expect(post.content).toBe('<@&987654321098765432>');
    expect(post.allowed_mentions).toEqual({ parse: [], roles: ['987654321098765432'] });
    expect(post.embeds![0]!.title).not.toContain('@everyone');
    expect(buildClipPost({ clips: [clip()] }).allowed_mentions).toEqual({ parse: [], roles: [] });
  });

  it('puts a digest heading above the embeds and the role mention below it', () => {
    const post = buildClipPost({
      clips: [clip(), clip()],
      mentionRoleIds: ['987654321098765432'],
      heading: '**Daily digest** · top 2 clips',
    });
    expect(post.content).toBe('**Daily digest** · top 2 clips\n<@&987654321098765432>');
    expect(post.allowed_mentions).toEqual({ parse: [], roles: ['987654321098765432'] });
    expect(buildClipPost({ clips: [clip()], heading: 'Weekly' }).content).toBe('Weekly');
  });

  it('drops a role id that is not a snowflake instead of sending a broken mention', () => {
    expect(buildClipPost({ clips: [clip()], mentionRoleIds: ['@everyone'] }).content).toBeUndefined();
  });

  it('never renders a masked link or markdown from a title', () => {
    const title = escapeTwitchText('[free nitro](https://evil.example) **bold**');
    expect(title).toBe('\\[free nitro\\]\\(https\\:/\u200b/evil.example\\) \\*\\*bold\\*\\*');
    const embed = buildClipPost({ clips: [clip({ broadcasterName: '[x](https://evil.example)' })] })
      .embeds![0]!;
    expect(embed.fields![0]!.value).not.toMatch(/\[x\]\(/);
  });

  it('leaves out URLs Discord would reject rather than losing the post', () => {
    const embed = buildClipPost({ clips: [clip({ url: 'javascript:alert(1)', thumbnailUrl: '' })] })
      .embeds![0]!;
    expect(embed.url).toBeUndefined();
    expect(embed.image).toBeUndefined();
  });

  it('fits ten clips with the longest titles and names into Discord limits', () => {
    const long = 'ｗ'.repeat(500) + '*'.repeat(500);
    const clips = Array.from({ length: 10 }, () =>
      clip({
        title: long,
        broadcasterName: 'n'.repeat(300),
        gameName: 'g'.repeat(300),
        creatorName: 'c'.repeat(300),
      }),
    );
    const post = buildClipPost({ clips, marker: 'x'.repeat(25) });
    expect(post.embeds).toHaveLength(10);
    const total = post.embeds!.reduce((sum, embed) => sum + embedCharacters(embed), 0);
    expect(total).toBeLessThanOrEqual(6000);
    for (const embed of post.embeds!) {
      expect(embed.title!.length).toBeLessThanOrEqual(256);
      for (const field of embed.fields!) expect(field.value.length).toBeLessThanOrEqual(1024);
      // A burst uses small thumbnails.
      expect(embed.thumbnail).toBeDefined();
      expect(embed.image).toBeUndefined();
    }
  });

  it('lists the other clippers of a moment under the lead clip, escaped so no name pings or formats', () => {
    const post = buildClipPost({
      clips: [clip({ alsoClippedBy: ['alice', '@everyone', '[x](https://evil.example)', 'bob_the_*'] })],
    });
    const field = post.embeds![0]!.fields!.find((f) => f.name === 'Also clipped by')!;
    expect(field.value).toBe(
      'alice, @\u200beveryone, \\[x\\]\\(https\\:/\u200b/evil.example\\), bob\\_the\\_\\*',
    );
    expect(post.allowed_mentions).toEqual({ parse: [], roles: [] });
    expect(buildClipPost({ clips: [clip()] }).embeds![0]!.fields!.map((f) => f.name)).not.toContain(
      'Also clipped by',
    );
  });

  it('fits ten moments led by the longest titles, each clipped by hundreds, into Discord limits', () => {
    const clippers = Array.from({ length: 300 }, (_, i) => `clipper_${i}_${'*'.repeat(20)}`);
    const clips = Array.from({ length: 10 }, () =>
      clip({
        title: 'ｗ'.repeat(500),
        broadcasterName: 'n'.repeat(300),
        gameName: 'g'.repeat(300),
        creatorName: 'c'.repeat(300),
        alsoClippedBy: clippers,
      }),
    );
    const post = buildClipPost({ clips, marker: 'x'.repeat(25) });
    const total = post.embeds!.reduce((sum, embed) => sum + embedCharacters(embed), 0);
    expect(total).toBeLessThanOrEqual(6000);
    for (const embed of post.embeds!) {
      const also = embed.fields!.find((f) => f.name === 'Also clipped by')!;
      expect(also.value).toMatch(/ and \d+ more$/);
      expect(also.value.length).toBeLessThanOrEqual(1024);
    }
    // One moment alone keeps a whole field for its clippers.
    const single = buildClipPost({ clips: [clips[0]!] }).embeds![0]!;
    const also = single.fields!.find((f) => f.name === 'Also clipped by')!.value;
    expect(also.length).toBeGreaterThan(900);
    expect(also.length).toBeLessThanOrEqual(1024);
  });

  it('refuses more than ten clips or none', () => {
    expect(() => buildClipPost({ clips: [] })).toThrow(RangeError);
    expect(() => buildClipPost({ clips: Array.from({ length: 11 }, () => clip()) })).toThrow(RangeError);
  });

  it('shows an empty title as an untitled clip', () => {
    expect(buildClipPost({ clips: [clip({ title: '  ' })] }).embeds![0]!.title).toBe('(untitled clip)');
  });
});

describe('formatAlsoClippedBy', () => {
  it('lists every name that fits and counts the rest', () => {
    expect(formatAlsoClippedBy(['ann', 'bo'], 100)).toBe('ann, bo');
    expect(formatAlsoClippedBy(['ann', 'bo', 'cy', 'di'], 20)).toBe('ann, bo and 2 more');
    expect(formatAlsoClippedBy(['ann', 'bo', 'cy', 'di'], 20).length).toBeLessThanOrEqual(20);
  });

  it('shows only a count when not even one name fits', () => {
    expect(formatAlsoClippedBy(['a'.repeat(50), 'b'], 12)).toBe('2 others');
    expect(formatAlsoClippedBy(['a'.repeat(50)], 12)).toBe('1 other');
  });
});

describe('formatDuration', () => {
  it('formats minutes and seconds', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(60.4)).toBe('1:00');
    expect(formatDuration(-1)).toBe('0:00');
  });
});

describe('buildSubscriptionTestPost', () => {
  it('uses the real layout and mentions only the configured role', () => {
    const post = buildSubscriptionTestPost({
      broadcasterName: 'Streamer',
      mentionRoleId: '123456789012345678',
    });
    expect(post.embeds![0]!.title).toContain('Streamer');
    expect(post.content).toBe('<@&123456789012345678>');
    expect(post.allowed_mentions).toEqual({ parse: [], roles: ['123456789012345678'] });
  });
});
