/**
 * The one definition of what Twitch user ids and logins look like, used wherever input is checked before
 * asking Twitch or the database.
 */

/** Helix user, game and category ids are decimal numbers; 20 digits covers every 64-bit id. */
export const TWITCH_ID = /^\d{1,20}$/;

/**
 * Logins are letters, digits and underscores. New accounts need 4–25 characters, but older accounts with
 * shorter logins exist, so only the upper bound is enforced: asking Twitch about a login that cannot exist
 * merely returns nothing. The pattern without anchors, for rules that find a login inside a link.
 */
export const TWITCH_LOGIN_PATTERN = '[A-Za-z0-9_]{1,25}';
export const TWITCH_LOGIN = new RegExp(`^${TWITCH_LOGIN_PATTERN}$`);

export function isTwitchId(value: string): boolean {
  return TWITCH_ID.test(value);
}

export function isTwitchLogin(value: string): boolean {
  return TWITCH_LOGIN.test(value);
}

/** The login in a channel link (`https://www.twitch.tv/name/...`) or the trimmed input itself. */
export function loginFromChannelInput(input: string): string {
  return input
    .trim()
    .replace(/^(?:https?:\/\/)?(?:www\.|m\.)?twitch\.tv\//i, '')
    .replace(/[/?#].*$/, '');
}
