import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/errors.js';
import {
  DEFAULT_FILTERS,
  MAX_FILTER_WORDS,
  normaliseSubscriptionFilters,
  type SubscriptionFilterInput,
} from './subscriptionFilters.js';

const GUILD = '100000000000000001';
const normalise = (input: SubscriptionFilterInput) => normaliseSubscriptionFilters(input, { guildId: GUILD });

function userErrorOf(input: SubscriptionFilterInput): UserError {
  try {
    normalise(input);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('normaliseSubscriptionFilters', () => {
  it('returns the defaults when nothing is set', () => {
    expect(normalise({})).toEqual(DEFAULT_FILTERS);
  });

  it('folds keywords and excluded words like the search folds titles, and removes repeats', () => {
    const filters = normalise({ keywords: 'Pokémon, CLUTCH clutch;  Straße', excludedWords: 'Ｒｅｒｕｎ' });
    expect(filters.keywords).toEqual(['pokemon', 'clutch', 'strasse']);
    expect(filters.excludedWords).toEqual(['rerun']);
  });

  it('treats punctuation and markup as separators, so nothing but words is stored', () => {
    expect(normalise({ keywords: '**ace**, `@everyone` <script>' }).keywords).toEqual([
      'ace',
      'everyone',
      'script',
    ]);
    expect(normalise({ keywords: ' ,;! ' }).keywords).toEqual([]);
  });

  it('keeps scripts without spaces as they are (folded, not split)', () => {
    expect(normalise({ keywords: 'ゲーム 神' }).keywords).toEqual(['ゲーム', '神']);
  });

  it('accepts the documented choices in any case and refuses others', () => {
    expect(normalise({ keywordMode: 'ALL', mode: 'Weekly' })).toMatchObject({
      keywordMode: 'all',
      mode: 'weekly',
    });
    expect(userErrorOf({ mode: 'hourly' }).message).toContain('every, daily, weekly');
    expect(userErrorOf({ keywordMode: 'some' }).message).toContain('any, all');
  });

  it('posts as the bot unless told to post as the streamer through a webhook', () => {
    expect(normalise({}).postAs).toBe('bot');
    expect(normalise({ postAs: 'Webhook' }).postAs).toBe('webhook');
    expect(userErrorOf({ postAs: 'streamer' }).message).toContain('bot, webhook');
  });

  it('refuses out-of-range numbers', () => {
    expect(userErrorOf({ minViews: -1 }).identifier).toBe('subscriptions.invalidMinViews');
    expect(userErrorOf({ minViews: 1.5 }).identifier).toBe('subscriptions.invalidMinViews');
    expect(userErrorOf({ digestSize: 0 }).identifier).toBe('subscriptions.invalidDigestSize');
    expect(userErrorOf({ digestSize: 11 }).identifier).toBe('subscriptions.invalidDigestSize');
    expect(normalise({ minViews: 0, digestSize: 10 })).toMatchObject({ minViews: 0, digestSize: 10 });
  });

  it('refuses too many or too long words instead of cutting them', () => {
    const many = Array.from({ length: MAX_FILTER_WORDS + 1 }, (_, i) => `w${i}`).join(' ');
    expect(userErrorOf({ keywords: many }).identifier).toBe('subscriptions.tooManyWords');
    expect(userErrorOf({ excludedWords: 'a'.repeat(41) }).identifier).toBe('subscriptions.wordTooLong');
  });

  it('refuses a game or clipper that is not a Twitch id (typed instead of picked)', () => {
    expect(userErrorOf({ gameId: 'Minecraft' }).message).toContain('game');
    expect(userErrorOf({ creatorId: '1; DROP' }).message).toContain('clipper');
    expect(normalise({ gameId: ' 27471 ', creatorId: '12345' })).toMatchObject({
      gameId: '27471',
      creatorId: '12345',
    });
  });

  it('refuses @everyone as the role to mention, and anything that is not a role id', () => {
    expect(userErrorOf({ mentionRoleId: GUILD }).identifier).toBe('subscriptions.everyoneRole');
    expect(userErrorOf({ mentionRoleId: '@here' }).identifier).toBe('subscriptions.invalidRole');
    expect(normalise({ mentionRoleId: '100000000000000002' }).mentionRoleId).toBe('100000000000000002');
  });

  it('refuses a word that is both required and excluded', () => {
    expect(userErrorOf({ keywords: 'Ace', excludedWords: 'ace' }).identifier).toBe(
      'subscriptions.keywordExcluded',
    );
  });

  it('changes only the given fields of an existing subscription', () => {
    const base = normalise({ keywords: 'ace', minViews: 10, mode: 'daily' });
    const updated = normaliseSubscriptionFilters({ minViews: 50 }, { guildId: GUILD, base });
    expect(updated).toEqual({ ...base, minViews: 50 });
  });
});
