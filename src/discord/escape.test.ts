import { describe, expect, it } from 'vitest';
import { escapeText, plainText, truncate } from './escape.js';

describe('escaping untrusted text for Discord', () => {
  it('makes markdown, masked links and mentions inert', () => {
    expect(escapeText('**bold** [free nitro](https://evil.test) <@123> @everyone')).toBe(
      '\\*\\*bold\\*\\* \\[free nitro\\]\\(https\\://evil.test\\) \\<@\u200B123\\> @\u200Beveryone',
    );
  });

  it('removes bidi overrides but keeps right-to-left letters', () => {
    expect(escapeText('\u202Eevil\u202C שלום مرحبا')).toBe('evil שלום مرحبا');
  });

  it('cuts before escaping, on code points, so neither an escape nor an emoji is split', () => {
    const cut = escapeText('😀'.repeat(10) + '*'.repeat(300), 12);
    // 5 emoji (2 UTF-16 units each) and the ellipsis: never half an emoji.
    expect(cut).toBe(`${'😀'.repeat(5)}…`);
    expect(escapeText('*'.repeat(300), 12)).toBe(`${'\\*'.repeat(11)}…`);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/\\…/);
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('collapses newlines and control characters into one line', () => {
    expect(plainText('a\n\n\tb\u0000c', 100)).toBe('a b c');
  });
});
