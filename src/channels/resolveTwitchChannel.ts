import type { Database } from '../db/Database.js';
import { UserError } from '../shared/errors.js';
import { isTwitchId, isTwitchLogin, loginFromChannelInput } from '../twitch/twitchIdentifiers.js';
import type { TwitchAdapter, TwitchUser } from '../twitch/twitchTypes.js';

export interface ResolvedChannel {
  id: string;
  name: string;
  /** Set when Twitch was asked (the channel was not in our broadcasters table). */
  user?: TwitchUser;
}

export interface ResolveChannelDeps {
  db: Database;
  twitch: Pick<TwitchAdapter, 'getUserByLogin' | 'getUsersByIds'>;
}

/**
 * Turns a channel option into a Twitch channel. The option holds a user id when picked from autocomplete
 * (ours or Twitch's channel search, so the id may be new to us), or whatever the user typed: a login or a
 * twitch.tv link. Known channels are answered from the database without calling Twitch.
 */
export async function resolveTwitchChannel(
  deps: ResolveChannelDeps,
  input: string,
): Promise<ResolvedChannel> {
  const value = input.trim();
  if (isTwitchId(value)) {
    const known = await deps.db.prisma.broadcaster.findUnique({ where: { id: value } });
    if (known) return { id: known.id, name: known.displayName };
    const [user] = await deps.twitch.getUsersByIds([value], 'interactive');
    if (user) return { id: user.id, name: user.displayName, user };
    // All-digit logins exist: fall through and try it as one.
  }
  const login = loginFromChannelInput(value);
  if (!isTwitchLogin(login)) {
    throw new UserError(
      'channel.invalid',
      `“${Array.from(value).slice(0, 50).join('')}” is not a Twitch channel name.`,
    );
  }
  const known = await deps.db.prisma.broadcaster.findFirst({ where: { login: login.toLowerCase() } });
  if (known) return { id: known.id, name: known.displayName };
  const user = await deps.twitch.getUserByLogin(login.toLowerCase(), 'interactive');
  if (!user) throw new UserError('channel.unknown', `There is no Twitch channel called “${login}”.`);
  return { id: user.id, name: user.displayName, user };
}

/** Checks the shape of a channel option before anything slow runs (so the error can be answered at once). */
export function assertChannelInputShape(input: string): void {
  const value = input.trim();
  if (isTwitchId(value) || isTwitchLogin(loginFromChannelInput(value))) return;
  throw new UserError(
    'channel.invalid',
    `“${Array.from(value).slice(0, 50).join('')}” is not a Twitch channel name.`,
  );
}
