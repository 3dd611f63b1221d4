/**
 * Text from Twitch (channel, clipper and game names) made safe for an SVG document: XML-escaped, stripped of
 * characters XML forbids or that reorder text invisibly, and shortened to fit a column.
 */

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes the five XML special characters; safe in element content and in quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char]!);
}

// C0/C1 controls (XML 1.0 forbids most of them and a renderer's parser rejects the whole document), lone
// surrogates and U+FFFE/U+FFFF (not XML characters), and the bidi embedding/override/isolate controls, which
// would let a name visually reorder itself.
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE_CHARACTERS =
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

/** Removes characters that cannot or should not appear in the chart; runs of whitespace become one space. */
export function sanitizeText(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, ' ').replace(/\s+/gu, ' ').trim();
}

// East Asian wide characters and emoji take about twice the width of a Latin letter.
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Approximate width in "average Latin letters" (the chart cannot measure text before rendering it). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += WIDE.test(segment) ? 2 : 1;
  return width;
}

/**
 * Sanitised `text` cut to at most `maxWidth` (see {@link displayWidth}) with an ellipsis, never inside a
 * grapheme (an emoji sequence or a letter with its accents stays whole). Returns `fallback` for blank text.
 */
export function fitText(text: string, maxWidth: number, fallback = '?'): string {
  const clean = sanitizeText(text);
  if (clean === '') return fallback;
  if (displayWidth(clean) <= maxWidth) return clean;
  let result = '';
  let width = 0;
  for (const { segment } of segmenter.segment(clean)) {
    const next = WIDE.test(segment) ? 2 : 1;
    if (width + next > maxWidth - 1) break;
    result += segment;
    width += next;
  }
  return `${result.trimEnd()}…`;
}
