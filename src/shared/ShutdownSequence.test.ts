import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ShutdownSequence } from './ShutdownSequence.js';

const silent = pino({ level: 'silent' });

describe('ShutdownSequence', () => {
  it('stops steps in reverse order of registration', async () => {
    const order: string[] = [];
    const sequence = new ShutdownSequence(silent, 1_000);
    sequence.add('database', () => void order.push('database'));
    sequence.add('poller', async () => void order.push('poller'));
    await expect(sequence.run()).resolves.toBe(true);
    expect(order).toEqual(['poller', 'database']);
  });

  it('keeps going after a failing step and reports the failure', async () => {
    const order: string[] = [];
    const sequence = new ShutdownSequence(silent, 1_000);
    sequence.add('database', () => void order.push('database'));
    sequence.add('broken', () => {
      throw new Error('boom');
    });
    await expect(sequence.run()).resolves.toBe(false);
    expect(order).toEqual(['database']);
  });

  it('gives up on a hanging step at the deadline', async () => {
    const sequence = new ShutdownSequence(silent, 50);
    sequence.add('hangs', () => new Promise<void>(() => undefined));
    const started = Date.now();
    await expect(sequence.run()).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('still closes the database, within the deadline, when an earlier step hangs', async () => {
    const sequence = new ShutdownSequence(silent, 300);
    const closed: string[] = [];
    sequence.add('database', () => void closed.push('database'), { reserveMs: 100 });
    sequence.add('cache', () => void closed.push('cache'));
    sequence.add('clip sync', () => new Promise<void>(() => undefined));
    const started = Date.now();
    await expect(sequence.run()).resolves.toBe(false);
    expect(closed).toEqual(['database']);
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('runs the steps only once when asked twice', async () => {
    let stops = 0;
    const sequence = new ShutdownSequence(silent, 1_000);
    sequence.add('counter', () => void stops++);
    await Promise.all([sequence.run(), sequence.run()]);
    expect(stops).toBe(1);
  });
});
