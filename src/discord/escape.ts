/**
 * Text from users and from Twitch (titles, channel and clipper names, queries) is shown inside our own
 * markdown. These helpers make it inert: no formatting, no masked links, no mentions, no bidi overrides that
 * could reorder the surrounding text, never longer than the room it is given.
 */

// Explicit directional formatting characters (LRE…RLO, LRI…PDI, marks): a title starting with U+202E would
// otherwise reverse the rest of our line. Letters of right-to-left scripts are kept as they are.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const MARKDOWN = /[\\*_~`|[\]()<>#:-]/g;

/**
 * Shortens to at most `max` UTF-16 units (the stricter way of counting Discord's limits), cutting between
 * code points so no emoji is split, and marks the cut with "…".
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}

/** One line of untrusted text: controls removed, whitespace collapsed. */
export function cleanText(text: string): string {
  return (
    text
      .replace(BIDI_CONTROLS, '')
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
      .replace(/[\u0000-\u001F\u007F]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/**
 * Untrusted text for a markdown context (message content, embed description, field value), cut to `max`
 * characters before escaping so an escape is never split. The result may be up to twice `max` long.
 */
export function escapeText(text: string, max = 256): string {
  return truncate(cleanText(text), max)
    .replace(MARKDOWN, (char) => `\\${char}`)
    .replace(/@/g, '@\u200B');
}

/**
 * Untrusted text where Discord renders no markdown but may still resolve mentions and show controls
 * (select-menu labels, button labels, autocomplete names, embed author and footer): cleaned and cut.
 */
export function plainText(text: string, max: number): string {
  return truncate(cleanText(text).replace(/@/g, '@\u200B'), max);
}
