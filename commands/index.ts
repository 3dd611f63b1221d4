import type { Command } from '../src/discord/Command.js';
import { clips } from './clips/index.js';
import { favorites } from './favorites.js';
import { help } from './help.js';
import { twitch } from './twitch.js';

/** Every slash command the bot registers and answers; deploy-commands.ts and the router both read this. */
export const commands: readonly Command[] = [clips, favorites, twitch, help];
