import { describe, expect, it } from 'vitest';
import { forumThreadName, isThreadOnlyChannel, snowflakeTime } from './forumPosts.js';

describe('forum posts', () => {
  it('treats forum and media channels as taking posts, every other type as taking messages', () => {
    expect(isThreadOnlyChannel(15)).toBe(true);
    expect(isThreadOnlyChannel(16)).toBe(true);
    for (const type of [0, 2, 4, 5, 10, 11, 12, 13]) expect(isThreadOnlyChannel(type)).toBe(false);
  });

  it('names a post after the first clip, within 100 characters', () => {
    expect(forumThreadName(['  A   great\nclip ', 'other'])).toBe('A great clip');
    expect(forumThreadName(['   '])).toBe('New clip');
    expect(forumThreadName([])).toBe('New clip');
    const long = forumThreadName(['x'.repeat(150)]);
    expect(long).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
    // Counted in characters, not UTF-16 units: an emoji is never cut in half.
    expect(Array.from(forumThreadName(['😀'.repeat(120)]))).toHaveLength(100);
  });

  it("reads a snowflake's creation time", () => {
    // Discord's documented example: 175928847299117063 was made at 2016-04-30T11:18:25.796Z.
    expect(new Date(snowflakeTime('175928847299117063')).toISOString()).toBe('2016-04-30T11:18:25.796Z');
  });
});
