import { describe, expect, it } from 'vitest';
import { decodeCustomId, encodeCustomId, MAX_CUSTOM_ID_LENGTH } from './customId.js';

describe('custom_id codec', () => {
  it('round-trips a command, an action and its arguments', () => {
    const id = { command: 'clips', action: 'page', args: ['Ab3_-xYz90', '2'] };
    const encoded = encodeCustomId(id);
    expect(encoded).toBe('v1:clips:page:Ab3_-xYz90:2');
    expect(decodeCustomId(encoded)).toEqual(id);
  });

  it('refuses to build an id Discord would reject or that could not be decoded', () => {
    expect(() => encodeCustomId({ command: 'clips', action: 'save', args: ['x'.repeat(100)] })).toThrow(
      /longer than 100/,
    );
    expect(() => encodeCustomId({ command: 'clips', action: 'page', args: ['a:b'] })).toThrow(/argument/);
    expect(() => encodeCustomId({ command: 'Clips', action: 'page', args: [] })).toThrow(/command/);
  });

  it.each([
    ['an old or foreign format', 'search:next:abc'],
    ['another version', 'v2:clips:page:abc:1'],
    ['a missing action', 'v1:clips'],
    ['characters outside the alphabet', 'v1:clips:page:<@everyone>'],
    ['an upper-case command', 'v1:CLIPS:page'],
    ['an empty id', ''],
    ['an id longer than Discord allows', `v1:clips:page:${'a'.repeat(MAX_CUSTOM_ID_LENGTH)}`],
  ])('decodes %s to null', (_, raw) => {
    expect(decodeCustomId(raw)).toBeNull();
  });
});
