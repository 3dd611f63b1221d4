import { describe, expect, it } from 'vitest';
import { displayWidth, escapeXml, fitText, sanitizeText } from './svgText.js';

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;',
    );
  });
  it('leaves other text, including non-Latin scripts, alone', () => {
    expect(escapeXml('加藤純一 · Привет · 😂')).toBe('加藤純一 · Привет · 😂');
  });
});

describe('sanitizeText', () => {
  it('removes control characters that XML forbids and collapses whitespace', () => {
    expect(sanitizeText('a\u0000b\u0007c\nd\t\te\u0085f')).toBe('a b c d e f');
  });
  it('removes bidi overrides and isolates so a name cannot reorder itself', () => {
    expect(sanitizeText('abc\u202Edef\u2066ghi\u2069')).toBe('abc def ghi');
  });
  it('removes lone surrogates but keeps emoji', () => {
    expect(sanitizeText('x\ud800y\udc00z 😂')).toBe('x y z 😂');
  });
});

describe('fitText', () => {
  it('keeps text that fits', () => {
    expect(fitText('ClipQueen', 26)).toBe('ClipQueen');
  });
  it('cuts long text with an ellipsis within the width', () => {
    const fitted = fitText('an_extremely_long_clipper_name_that_goes_on', 20);
    expect(fitted).toBe('an_extremely_long_c…');
    expect(displayWidth(fitted)).toBe(20);
  });
  it('counts East Asian characters and emoji as two', () => {
    expect(displayWidth('加藤a😂')).toBe(7);
    expect(fitText('加藤純一ファンクラブ', 9)).toBe('加藤純一…');
  });
  it('never cuts inside a grapheme', () => {
    const family = '👨‍👩‍👧'; // one grapheme of five code points
    expect(fitText(`ab${family}${family}cd`, 5)).toBe(`ab${family}…`);
    expect(fitText('e\u0301e\u0301e\u0301e\u0301', 3)).toBe('e\u0301e\u0301…');
  });
  it('uses the fallback for blank or control-only text', () => {
    expect(fitText(' \u0000\u202E ', 10, 'someone')).toBe('someone');
  });
});
