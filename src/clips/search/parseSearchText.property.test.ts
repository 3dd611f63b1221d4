import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/errors.js';
import {
  MAX_QUERY_TOKENS,
  MAX_SEARCH_TEXT_LENGTH,
  MAX_TERMS,
  MAX_TOKEN_LENGTH,
  parseSearchText,
} from './parseSearchText.js';
import { tsQueryText } from './buildSearchSql.js';

const RUNS = 10_000;

/** Pieces a hostile or careless user types: operators, quotes, URLs, scripts, emoji, very long words. */
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }), // any code point, lone surrogates included
  fc.constantFrom(
    '-',
    '--',
    '"',
    '-"',
    '""',
    "'",
    ':*',
    '&',
    '|',
    '!',
    '<->',
    '(',
    ')',
    '\\',
    '%',
    '_',
    '\u0000',
  ),
  fc.constantFrom(
    'the',
    'a',
    'KEKW',
    'Pokémon',
    'ＫＥＫＷ',
    '今日',
    '神プレイ',
    'ไม่',
    'привет',
    'عربي',
    '😂',
    'ﷺ',
  ),
  fc.constantFrom('https://clips.twitch.tv/AwkwardHelplessSalamanderSwiftRage', 'twitch.tv/x/clip/Slug'),
  fc.integer({ min: 1, max: 400 }).map((n) => 'w'.repeat(n)),
  fc
    .integer({ min: 1, max: 60 })
    .map((n) => Array.from({ length: n }, (_, i) => '今日の神'[i % 4]).join('-')),
);
const searchText = fc
  .array(piece, { maxLength: 30 })
  .chain((pieces) => fc.constantFrom(' ', '', '-', '  ').map((separator) => pieces.join(separator)));

describe('parseSearchText on random input', () => {
  it('never fails with anything but a UserError, and what it returns is safe to quote', () => {
    fc.assert(
      fc.property(searchText, (text) => {
        let parsed: ReturnType<typeof parseSearchText>;
        try {
          parsed = parseSearchText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(UserError);
          return;
        }
        expect(text.normalize('NFKC').trim().length).toBeLessThanOrEqual(MAX_SEARCH_TEXT_LENGTH);
        if (parsed.kind !== 'terms') return;
        expect(parsed.include.length).toBeLessThanOrEqual(MAX_TERMS);
        expect(parsed.exclude.length).toBeLessThanOrEqual(MAX_TERMS);
        const tokens = [...parsed.include, ...parsed.exclude].flatMap((term) => term.tokens);
        expect(tokens.length).toBeLessThanOrEqual(MAX_QUERY_TOKENS);
        for (const token of tokens) {
          expect(token.text).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
          expect(Array.from(token.text).length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
        }
        // The tsquery text holds tokens only inside quotes: no operator of the user's can appear unquoted.
        const query = tsQueryText(parsed.include, parsed.exclude, { prefix: true });
        const unquoted = query.replace(/'(?:[^']|'')*'/g, '');
        expect(unquoted).toMatch(/^[\s()&|!<\->:*]*$/);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
