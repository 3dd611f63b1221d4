import { badRequest } from './http.js';

/**
 * Opaque pagination cursors shaped like Twitch's (base64 JSON). They carry an offset into the sorted result,
 * so results shift between pages when data changes, as they do on Twitch.
 */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ b: null, a: { Offset: offset } })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      a?: { Offset?: unknown };
    };
    const offset = parsed.a?.Offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) {
      return offset;
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('The parameter "after" was malformed: invalid cursor');
}
