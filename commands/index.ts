import type { Command } from '../src/discord/Command.js';
import { about } from './about.js';
import { search } from './search.js';
import { twitch } from './twitch.js';

/** Every slash command the bot registers and answers; deploy-commands.ts and the router both read this. */
export const commands: readonly Command[] = [search, twitch, about];
