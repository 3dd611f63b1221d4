import { describe, expect, it } from 'vitest';
import { editDistance, maxEdits } from './editDistance.js';

describe('editDistance', () => {
  it('counts swapped neighbours, insertions, deletions and substitutions as one edit each', () => {
    expect(editDistance('clucth', 'clutch')).toBe(1);
    expect(editDistance('clutch', 'clutch')).toBe(0);
    expect(editDistance('utch', 'clutch')).toBe(2);
    expect(editDistance('pokemn', 'pokemon')).toBe(1);
    expect(editDistance('rakned', 'raka')).toBe(3);
    expect(editDistance('привт', 'привет')).toBe(1);
  });

  it('allows more edits for longer words', () => {
    expect([maxEdits('gg'), maxEdits('utch'), maxEdits('speedrun')]).toEqual([1, 2, 3]);
  });
});
