/**
 * The `custom_id` of every button and select menu the bot sends: `v1:<command>:<action>[:<arg>…]`, at most
 * 100 characters (Discord's limit). The command and action pick the handler (the router looks them up in
 * the command's `components`); arguments are short tokens — a paging-state key, a page number, a clip id —
 * never whole queries, which stay in the cache behind the key.
 *
 * Anyone can craft an interaction with any custom_id, so decoding is strict and returns null on anything
 * unexpected; the router answers null with a friendly "this button no longer works" message. Arguments are
 * never trusted beyond their shape: a state key only finds what the bot stored, and handlers check who may
 * act on it.
 */

export const CUSTOM_ID_VERSION = 'v1';
export const MAX_CUSTOM_ID_LENGTH = 100;
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ARG = /^[A-Za-z0-9_-]{0,100}$/;

export interface CustomId {
  command: string;
  action: string;
  args: string[];
}

export function encodeCustomId(id: CustomId): string {
  if (!NAME.test(id.command) || !NAME.test(id.action)) {
    throw new Error(`custom_id command and action must match ${NAME}: ${id.command}:${id.action}`);
  }
  for (const arg of id.args) {
    if (!ARG.test(arg)) throw new Error(`custom_id argument must match ${ARG}: ${JSON.stringify(arg)}`);
  }
  const encoded = [CUSTOM_ID_VERSION, id.command, id.action, ...id.args].join(':');
  if (encoded.length > MAX_CUSTOM_ID_LENGTH) {
    throw new Error(`custom_id longer than ${MAX_CUSTOM_ID_LENGTH} characters: ${encoded.length}`);
  }
  return encoded;
}

/** The parts of a custom_id, or null for anything this bot version did not produce (old, garbled, forged). */
export function decodeCustomId(raw: string): CustomId | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_CUSTOM_ID_LENGTH) return null;
  const [version, command, action, ...args] = raw.split(':');
  if (version !== CUSTOM_ID_VERSION || command === undefined || action === undefined) return null;
  if (!NAME.test(command) || !NAME.test(action) || !args.every((arg) => ARG.test(arg))) return null;
  return { command, action, args };
}
