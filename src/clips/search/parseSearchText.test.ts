import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/errors.js';
import { MAX_SEARCH_TEXT_LENGTH, MAX_TERMS, parseSearchText } from './parseSearchText.js';

const texts = (raw: string) => {
  const parsed = parseSearchText(raw);
  if (parsed.kind !== 'terms') return parsed;
  const show = (terms: typeof parsed.include) =>
    terms.map((t) =>
      t.quoted ? `"${t.tokens.map((x) => x.text).join(' ')}"` : t.tokens.map((x) => x.text).join('+'),
    );
  return { include: show(parsed.include), exclude: show(parsed.exclude) };
};

describe('parseSearchText', () => {
  it('splits words, quoted phrases and exclusions', () => {
    expect(texts('Insane CLUTCH "best headshot" -kekw -"bad call"')).toEqual({
      include: ['insane', 'clutch', '"best headshot"'],
      exclude: ['kekw', '"bad call"'],
    });
  });

  it('keeps hyphenated and apostrophe words together as one term', () => {
    expect(texts("e-sports don't")).toEqual({ include: ['e+sports', 'don+t'], exclude: [] });
  });

  it('normalises full-width text and keeps accents for the database to fold', () => {
    expect(texts('ＫＥＫＷ Pokémon')).toEqual({ include: ['kekw', 'pokémon'], exclude: [] });
  });

  it('separates scripts written without spaces from Latin in the same word', () => {
    const parsed = parseSearchText('神プレイabc');
    expect(parsed.kind === 'terms' && parsed.include[0]?.tokens).toEqual([
      { text: '神プレイ', noSpace: true },
      { text: 'abc', noSpace: false },
    ]);
  });

  it('turns metacharacters, emoji and lone minus signs into nothing', () => {
    expect(parseSearchText('😂😂 .*+?[](){}|\\^$ - -- & | ! <-> :*')).toEqual({ kind: 'none' });
    expect(texts("'; DROP TABLE clips; --")).toEqual({ include: ['drop', 'table', 'clips'], exclude: [] });
  });

  it('recognises clip URLs and bare clip slugs but not emotes', () => {
    expect(parseSearchText('https://clips.twitch.tv/AwkwardHelplessSalamanderSwiftRage')).toEqual({
      kind: 'clipId',
      clipId: 'AwkwardHelplessSalamanderSwiftRage',
      fromUrl: true,
    });
    expect(parseSearchText('twitch.tv/xqc/clip/Slug-AbCdEfGhIjKlMnOp?filter=clips')).toMatchObject({
      clipId: 'Slug-AbCdEfGhIjKlMnOp',
    });
    // The channel part follows the Twitch login rule: older one-letter logins exist, 26 characters do not.
    expect(parseSearchText('https://www.twitch.tv/x/clip/ShortLoginClip')).toMatchObject({
      clipId: 'ShortLoginClip',
    });
    expect(parseSearchText(`https://www.twitch.tv/${'a'.repeat(26)}/clip/LongLoginClip`).kind).toBe('terms');
    expect(parseSearchText('https://clips.twitch.tv/embed?clip=FunnyClip')).toMatchObject({
      kind: 'clipId',
      clipId: 'FunnyClip',
    });
    expect(parseSearchText('AwkwardHelplessSalamanderSwiftRage')).toMatchObject({
      kind: 'clipId',
      fromUrl: false,
    });
    expect(parseSearchText('PogChamp').kind).toBe('terms');
  });

  it('refuses text longer than the limit with a UserError', () => {
    expect(() => parseSearchText('a'.repeat(MAX_SEARCH_TEXT_LENGTH + 1))).toThrow(UserError);
    expect(() => parseSearchText('x '.repeat(5_000))).toThrow(/at most/);
  });

  it('caps and de-duplicates terms', () => {
    const parsed = parseSearchText('a b c d e f g h i j k a a');
    expect(parsed.kind === 'terms' && parsed.include.length).toBe(MAX_TERMS);
    expect(texts('gg GG gg')).toEqual({ include: ['gg'], exclude: [] });
  });

  it('returns none for missing or blank text', () => {
    expect(parseSearchText(undefined)).toEqual({ kind: 'none' });
    expect(parseSearchText('   ')).toEqual({ kind: 'none' });
  });
});
