import type { TwitchUser } from '../twitch/twitchTypes.js';
import { UserError } from '../shared/errors.js';
import type { CommandDeps } from './Command.js';

const TWITCH_ID = /^\d{1,20}$/;
const TWITCH_LOGIN = /^[a-zA-Z0-9_]{3,25}$/;

export interface ResolvedChannel {
  id: string;
  name: string;
  /** Set when Twitch was asked (the channel was not in our broadcasters table). */
  user?: TwitchUser;
}

/**
 * Turns a channel option into a Twitch channel. The option holds a user id when picked from autocomplete
 * (ours or Twitch's channel search, so the id may be new to us), or whatever the user typed: a login or a
 * twitch.tv link.
 */
export async function resolveTwitchChannel(
  deps: Pick<CommandDeps, 'db' | 'twitch'>,
  input: string,
): Promise<ResolvedChannel> {
  const value = input.trim();
  if (TWITCH_ID.test(value)) {
    const known = await deps.db.prisma.broadcaster.findUnique({ where: { id: value } });
    if (known) return { id: known.id, name: known.displayName };
    const [user] = await deps.twitch.getUsersByIds([value], 'interactive');
    if (user) return { id: user.id, name: user.displayName, user };
    // All-digit logins exist: fall through and try it as one.
  }
  const login = value.replace(/^https?:\/\/(www\.)?twitch\.tv\//i, '').replace(/\/.*$/, '');
  if (!TWITCH_LOGIN.test(login)) {
    throw new UserError('channel.invalid', `"${value.slice(0, 50)}" is not a Twitch channel name.`);
  }
  const user = await deps.twitch.getUserByLogin(login.toLowerCase(), 'interactive');
  if (!user) throw new UserError('channel.unknown', `There is no Twitch channel called "${login}".`);
  return { id: user.id, name: user.displayName, user };
}
