import { describe, expect, it } from 'vitest';
import { digestHeading } from './digestHeading.js';

describe('digestHeading', () => {
  it('names the period and escapes the channel name so it cannot format or ping', () => {
    expect(
      digestHeading({
        mode: 'daily',
        channelName: 'Speedy',
        clips: 5,
        periodStart: 'Tuesday, 1 December 2026',
      }),
    ).toBe('**Daily digest** · top 5 clips of **Speedy** on Tuesday, 1 December 2026');
    expect(
      digestHeading({
        mode: 'weekly',
        channelName: '@everyone_**x**',
        clips: 1,
        periodStart: 'Monday, 30 November 2026',
      }),
    ).toBe(
      '**Weekly digest** · top clip of **@\u200beveryone\\_\\*\\*x\\*\\*** in the week from Monday, 30 November 2026',
    );
  });
});
