import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { planChannelMessages } from './deliveryClaims.js';
import {
  classifyDeliveryError,
  deliveryNonce,
  MAX_NONCE_LENGTH,
  randomSalt,
  retryDelayMs,
} from './deliveryPolicy.js';

const apiError = (code: number, status: number) =>
  new DiscordAPIError({ code, message: 'x' }, code, status, 'POST', '/channels/1/messages', { body: {} });

describe('deliveryNonce', () => {
  it('fits Discord’s 25 characters for the largest delivery id', () => {
    const nonce = deliveryNonce(2n ** 63n - 1n, randomSalt());
    expect(nonce.length).toBeLessThanOrEqual(MAX_NONCE_LENGTH);
    expect(nonce).toMatch(/^tcs[0-9a-z]+\.[0-9a-z]*$/);
  });

  it('differs between deliveries and between installations', () => {
    expect(deliveryNonce(1n, 'aaaa')).not.toBe(deliveryNonce(2n, 'aaaa'));
    expect(deliveryNonce(1n, 'aaaa')).not.toBe(deliveryNonce(1n, 'bbbb'));
    expect(deliveryNonce(1n, 'aaaa')).toBe(deliveryNonce(1n, 'aaaa'));
  });
});

describe('retryDelayMs', () => {
  const options = { baseMs: 1_000, maxMs: 60_000 };
  it('doubles per attempt with jitter over the upper half', () => {
    expect(retryDelayMs(1, options, () => 0)).toBe(500);
    expect(retryDelayMs(1, options, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, options, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, options, () => 1)).toBe(4_000);
  });
  it('never exceeds the cap', () => {
    expect(retryDelayMs(50, options, () => 1)).toBe(60_000);
  });
});

describe('classifyDeliveryError', () => {
  it('recognises the errors of the CommonJS build that discord.js itself uses (not only the ESM classes)', () => {
    // The bot posts through discord.js's client.rest, whose errors come from @discordjs/rest's CommonJS build.
    const commonJs = createRequire(import.meta.url)('@discordjs/rest') as {
      DiscordAPIError: typeof DiscordAPIError;
    };
    expect(commonJs.DiscordAPIError).not.toBe(DiscordAPIError);
    const error = new commonJs.DiscordAPIError(
      { code: 50013, message: 'Missing Permissions' },
      50013,
      403,
      'POST',
      '/channels/1/messages',
      { body: {} },
    );
    expect(classifyDeliveryError(error)).toMatchObject({ kind: 'channel-problem', code: '50013' });
  });

  it('treats a missing channel or missing permissions as a channel problem', () => {
    expect(classifyDeliveryError(apiError(50013, 403))).toEqual({
      kind: 'channel-problem',
      code: '50013',
      reason: 'Missing Permissions (50013)',
    });
    expect(classifyDeliveryError(apiError(10003, 404))).toMatchObject({
      kind: 'channel-problem',
      code: '10003',
    });
    expect(classifyDeliveryError(apiError(50001, 403))).toMatchObject({
      kind: 'channel-problem',
      code: '50001',
    });
    // A forum that requires a tag refuses every post until an admin lifts the requirement.
    expect(classifyDeliveryError(apiError(40067, 400))).toMatchObject({
      kind: 'channel-problem',
      code: '40067',
    });
  });
  it('rejects a payload Discord refused, retries server errors, timeouts and network errors', () => {
    expect(classifyDeliveryError(apiError(50035, 400)).kind).toBe('rejected');
    expect(
      classifyDeliveryError(new HTTPError(503, 'Service Unavailable', 'POST', '/x', { body: {} })).kind,
    ).toBe('transient');
    const abort = new Error('This operation was aborted');
    abort.name = 'AbortError';
    expect(classifyDeliveryError(abort).kind).toBe('transient');
    expect(classifyDeliveryError(apiError(0, 401)).kind).toBe('transient');
  });
});

describe('planChannelMessages', () => {
  const options = { limit: 1000, burstThreshold: 3, maxEmbedsPerMessage: 10 };
  it('posts clips one by one below the burst threshold', () => {
    expect(planChannelMessages([1, 2], null, options)).toEqual({ fillOpen: [], groups: [[1], [2]] });
    expect(planChannelMessages([2], 1, options)).toEqual({ fillOpen: [], groups: [[2]] });
  });
  it('coalesces a burst into messages of up to 10, in order', () => {
    const { fillOpen, groups } = planChannelMessages(
      Array.from({ length: 23 }, (_, i) => i),
      null,
      options,
    );
    expect(fillOpen).toEqual([]);
    expect(groups.map((group) => group.length)).toEqual([10, 10, 3]);
    expect(groups.flat()).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });
  it('first fills the channel’s unsent message when a burst continues', () => {
    const plan = planChannelMessages(
      Array.from({ length: 8 }, (_, i) => i),
      4,
      options,
    );
    expect(plan.fillOpen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.groups).toEqual([[6, 7]]);
    // Two waiting plus one new reach the threshold: the new clip joins the open message.
    expect(planChannelMessages([9], 2, options)).toEqual({ fillOpen: [9], groups: [] });
  });
});
