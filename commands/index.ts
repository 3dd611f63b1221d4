import type { Command } from '../src/discord/Command.js';
import { about } from './about.js';
import { search } from './search.js';
import { settings } from './settings.js';
import { subscriptions } from './subscriptions.js';
import { twitch } from './twitch.js';

/** Every slash command the bot registers and answers; deploy-commands.ts and the router both read this. */
export const commands: readonly Command[] = [search, subscriptions, settings, twitch, about];
