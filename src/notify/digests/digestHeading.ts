import { escapeTwitchText } from '../clipPostMessage.js';
import type { DigestMode } from './digestPeriods.js';

/** The line above a digest's embeds, e.g. "**Daily digest** · top 5 clips of **Name** on Tuesday, 1 December 2026". */
export function digestHeading(options: {
  mode: DigestMode;
  channelName: string;
  clips: number;
  periodStart: string;
}): string {
  const what = `top ${options.clips === 1 ? 'clip' : `${options.clips} clips`} of **${escapeTwitchText(options.channelName)}**`;
  return options.mode === 'daily'
    ? `**Daily digest** · ${what} on ${options.periodStart}`
    : `**Weekly digest** · ${what} in the week from ${options.periodStart}`;
}
