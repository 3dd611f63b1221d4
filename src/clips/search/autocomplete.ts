import type { Logger } from 'pino';
import type { Database } from '../../db/Database.js';

/** Discord allows 25 autocomplete choices whose names are at most 100 characters. */
export const MAX_AUTOCOMPLETE_RESULTS = 25;
export const MAX_CHOICE_NAME_LENGTH = 100;
/** Discord drops autocomplete answers after 3 s; Twitch's channel search must not eat all of it. */
export const DIRECTORY_TIMEOUT_MS = 1_500;
const MAX_AUTOCOMPLETE_INPUT = 100;

/** Twitch's channel search (Search Channels); the Twitch adapter implements it. */
export interface ChannelDirectory {
  /** `signal` aborts when autocomplete stops waiting: a call still queued for the Helix budget is dropped. */
  searchChannels(
    query: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<Array<{ id: string; login: string; displayName: string }>>;
}

/** One autocomplete choice, ready for Discord: `name` is shown, `value` is what the command receives. */
export interface AutocompleteChoice {
  name: string;
  value: string;
}

export interface ChannelSuggestion extends AutocompleteChoice {
  id: string;
  login: string;
  displayName: string;
  /** "tracked" (we index its clips), "known" (in our broadcasters table) or "twitch" (from Twitch's search). */
  source: 'tracked' | 'known' | 'twitch';
}

interface AutocompleteDeps {
  db: Database;
  logger: Logger;
}

/**
 * Channels whose login or display name starts with `query`: tracked channels first, then other channels we
 * know, then — only if that leaves room — Twitch's channel search. A failing or slow directory only costs
 * its part of the answer.
 */
export async function autocompleteChannels(
  deps: AutocompleteDeps & { directory?: ChannelDirectory },
  input: { query: string; limit?: number },
): Promise<ChannelSuggestion[]> {
  const limit = clampLimit(input.limit);
  const prefix = normalisePrefix(input.query);
  // Uses broadcasters_login_search_idx / broadcasters_display_name_search_idx (text_pattern_ops) for prefixes.
  const rows = await deps.db.sql.query<{ id: string; login: string; display_name: string; tracked: boolean }>(
    `SELECT b.id, b.login, b.display_name, (t.broadcaster_id IS NOT NULL) AS tracked
     FROM broadcasters b LEFT JOIN tracked_channels t ON t.broadcaster_id = b.id
     WHERE lower(b.login) LIKE $1 ESCAPE '\\' OR lower(b.display_name) LIKE $1 ESCAPE '\\'
     ORDER BY tracked DESC, (lower(b.login) = $2) DESC, length(b.login), b.login
     LIMIT $3`,
    [`${escapeLike(prefix)}%`, prefix, limit],
  );
  const suggestions: ChannelSuggestion[] = rows.map((row) =>
    channelSuggestion(row.id, row.login, row.display_name, row.tracked ? 'tracked' : 'known'),
  );
  const directory = deps.directory;
  if (suggestions.length >= limit || directory === undefined || prefix.length === 0) return suggestions;

  const seen = new Set(suggestions.map((s) => s.id));
  try {
    const found = await withTimeout(
      (signal) => directory.searchChannels(prefix, limit, signal),
      DIRECTORY_TIMEOUT_MS,
    );
    for (const channel of found) {
      if (suggestions.length >= limit) break;
      if (seen.has(channel.id)) continue;
      seen.add(channel.id);
      suggestions.push(channelSuggestion(channel.id, channel.login, channel.displayName, 'twitch'));
    }
  } catch (error) {
    deps.logger.warn({ err: error }, 'channel directory search failed; answering with known channels only');
  }
  return suggestions;
}

/** Games whose name starts with `query`, then games containing it. */
export async function autocompleteGames(
  deps: AutocompleteDeps,
  input: { query: string; limit?: number },
): Promise<AutocompleteChoice[]> {
  const limit = clampLimit(input.limit);
  const prefix = normalisePrefix(input.query);
  const escaped = escapeLike(prefix);
  // Prefix matches come from games_name_search_idx; "contains" matches scan games, a table of thousands.
  const rows = await deps.db.sql.query<{ id: string; name: string }>(
    `SELECT id, name FROM (
       (SELECT id, name, 0 AS rank FROM games WHERE lower(name) LIKE $1 ESCAPE '\\' ORDER BY lower(name) LIMIT $3)
       UNION ALL
       (SELECT id, name, 1 AS rank FROM games
        WHERE lower(name) LIKE $2 ESCAPE '\\' AND lower(name) NOT LIKE $1 ESCAPE '\\' ORDER BY lower(name) LIMIT $3)
     ) AS matches
     ORDER BY rank, length(name), lower(name)
     LIMIT $3`,
    [`${escaped}%`, `%${escaped}%`, limit],
  );
  return rows.map((row) => ({ name: truncateName(row.name), value: row.id }));
}

/** People who made clips, by display-name prefix; optionally only clippers of one channel. */
export async function autocompleteClippers(
  deps: AutocompleteDeps,
  input: { query: string; limit?: number; broadcasterId?: string },
): Promise<AutocompleteChoice[]> {
  const limit = clampLimit(input.limit);
  const prefix = normalisePrefix(input.query);
  // clips_creator_name_search_idx (text_pattern_ops) serves the prefix range already sorted — `USING ~<~`
  // is that operator class's order, a plain ORDER BY would sort the whole range. Prolific clippers repeat, so read
  // a few rows per wanted result and de-duplicate here instead of a DISTINCT over the whole range.
  const params: unknown[] = [`${escapeLike(prefix)}%`, limit * 8];
  const channel =
    input.broadcasterId === undefined ? '' : `AND broadcaster_id = $${params.push(input.broadcasterId)}`;
  const rows = await deps.db.sql.query<{ creator_id: string; creator_name: string }>(
    `SELECT creator_id, creator_name FROM clips
     WHERE lower(creator_name) LIKE $1 ESCAPE '\\' AND deleted_at IS NULL ${channel}
     ORDER BY lower(creator_name) USING ~<~
     LIMIT $2`,
    params,
  );
  const choices: AutocompleteChoice[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.creator_id)) continue;
    seen.add(row.creator_id);
    choices.push({ name: truncateName(row.creator_name), value: row.creator_id });
    if (choices.length >= limit) break;
  }
  return choices;
}

function channelSuggestion(
  id: string,
  login: string,
  displayName: string,
  source: ChannelSuggestion['source'],
): ChannelSuggestion {
  const label = displayName.toLowerCase() === login.toLowerCase() ? displayName : `${displayName} (${login})`;
  return {
    id,
    login,
    displayName,
    source,
    name: truncateName(source === 'tracked' ? `${label} ★` : label),
    value: id,
  };
}

function clampLimit(limit: number | undefined): number {
  return Math.max(1, Math.min(MAX_AUTOCOMPLETE_RESULTS, Math.floor(limit ?? MAX_AUTOCOMPLETE_RESULTS)));
}

function normalisePrefix(query: string): string {
  return Array.from(query.normalize('NFKC').trim().toLowerCase()).slice(0, MAX_AUTOCOMPLETE_INPUT).join('');
}

/** LIKE treats % and _ as wildcards; the user typed them literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function truncateName(name: string): string {
  const chars = Array.from(name);
  return chars.length <= MAX_CHOICE_NAME_LENGTH
    ? name
    : `${chars.slice(0, MAX_CHOICE_NAME_LENGTH - 1).join('')}…`;
}

/** Runs `work` for at most `ms`; on timeout its signal aborts, so the work is cancelled, not left running. */
function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}
