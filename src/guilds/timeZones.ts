import { UserError } from '../shared/errors.js';

/** Every IANA zone the runtime knows (ICU's list), plus UTC which some runtimes leave out of it. */
function knownTimeZones(): readonly string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

let cachedZones: readonly string[] | undefined;
function zones(): readonly string[] {
  cachedZones ??= knownTimeZones();
  return cachedZones;
}

/**
 * The canonical spelling of an IANA time zone ("europe/berlin" → "Europe/Berlin"), validated by Intl, or a
 * UserError. Offsets such as "+02:00" and abbreviations such as "CET" are refused: digests must follow
 * daylight saving time, which only a region zone knows.
 */
export function normaliseTimeZone(input: string): string {
  const value = input.trim();
  const listed = zones().find((zone) => zone.toLowerCase() === value.toLowerCase());
  if (listed !== undefined) return listed;
  // Aliases Intl accepts but does not list (e.g. "Asia/Calcutta"): canonicalised by Intl itself.
  if (/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(value)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    } catch {
      // Not a zone: fall through to the error.
    }
  }
  throw new UserError(
    'settings.invalidTimeZone',
    `"${value.slice(0, 60)}" is not a time zone. Pick one from the list, e.g. Europe/Berlin or America/New_York.`,
  );
}

/** Zones containing `query` (case-insensitive; spaces match underscores), those starting with it first. */
export function searchTimeZones(query: string, limit: number): string[] {
  const needle = query.trim().toLowerCase().replace(/ /g, '_');
  if (needle === '') return zones().slice(0, limit);
  const matches = zones().filter((zone) => zone.toLowerCase().includes(needle));
  const starts = (zone: string) =>
    zone.toLowerCase().startsWith(needle) || zone.toLowerCase().includes(`/${needle}`) ? 0 : 1;
  return matches.sort((a, b) => starts(a) - starts(b) || a.localeCompare(b)).slice(0, limit);
}
