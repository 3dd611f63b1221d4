import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/errors.js';
import { normaliseTimeZone, searchTimeZones } from './timeZones.js';

describe('normaliseTimeZone', () => {
  it('accepts IANA zones in any case and returns their canonical spelling', () => {
    expect(normaliseTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(normaliseTimeZone('  america/new_york ')).toBe('America/New_York');
    expect(normaliseTimeZone('UTC')).toBe('UTC');
  });

  it('accepts an alias that Intl knows', () => {
    expect(['Asia/Kolkata', 'Asia/Calcutta']).toContain(normaliseTimeZone('Asia/Calcutta'));
  });

  it('refuses offsets, abbreviations, made-up zones and injection attempts with a UserError', () => {
    for (const input of ['+02:00', 'Mars/Olympus_Mons', 'Europe/', '', 'Europe/Berlin; DROP TABLE guilds']) {
      expect(() => normaliseTimeZone(input), input).toThrow(UserError);
    }
  });
});

describe('searchTimeZones', () => {
  it('finds zones by city, preferring those that start with the text', () => {
    expect(searchTimeZones('berlin', 25)).toEqual(['Europe/Berlin']);
    const york = searchTimeZones('new york', 25);
    expect(york[0]).toBe('America/New_York');
  });

  it('never returns more than asked', () => {
    expect(searchTimeZones('', 25)).toHaveLength(25);
    expect(searchTimeZones('a', 10)).toHaveLength(10);
  });
});
