import type { Command } from '../src/discord/Command.js';
import { clips } from './clips/index.js';
import { favorites } from './favorites.js';
import { help } from './help.js';
import { settings } from './settings.js';
import { subscriptions } from './subscriptions.js';
import { twitch } from './twitch.js';

/** Every slash command the bot registers and answers; deploy-commands.ts and the router both read this. */
export const commands: readonly Command[] = [clips, favorites, subscriptions, settings, twitch, help];
