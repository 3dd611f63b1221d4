import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import { toTwitchError } from './TwitchAdapter.js';

const httpError = (statusCode: number) =>
  Object.assign(new Error(`status ${statusCode} body with token abc`), { statusCode });

describe('Helix error mapping', () => {
  it('maps HTTP statuses to stable codes without carrying the response body', () => {
    expect(toTwitchError(httpError(401), 'clips').code).toBe('twitch.unauthorized');
    expect(toTwitchError(httpError(429), 'clips').code).toBe('twitch.rateLimited');
    expect(toTwitchError(httpError(400), 'clips').code).toBe('twitch.badRequest');
    expect(toTwitchError(httpError(503), 'clips').code).toBe('twitch.unavailable');
    expect(toTwitchError(httpError(418), 'clips').code).toBe('twitch.httpError');
    expect(toTwitchError(httpError(503), 'clips').message).not.toContain('token');
  });

  it('tells timeouts, malformed replies and network failures apart', () => {
    const expired = Object.assign(new Error('This job timed out after 100 ms.'), { name: 'BottleneckError' });
    expect(toTwitchError(expired, 'streams').code).toBe('twitch.timeout');
    expect(toTwitchError(new SyntaxError('Unexpected token'), 'clips').code).toBe('twitch.malformedResponse');
    expect(
      toTwitchError(new TypeError("Cannot read properties of undefined (reading 'map')"), 'clips').code,
    ).toBe('twitch.malformedResponse');
    const aborted = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    expect(toTwitchError(aborted, 'users').code).toBe('twitch.timeout');
    expect(toTwitchError(new Error('ECONNRESET'), 'users').code).toBe('twitch.network');
  });

  it('passes AppErrors through unchanged', () => {
    const error = new AppError('twitch.unavailable', 'x');
    expect(toTwitchError(error, 'clips')).toBe(error);
  });
});
