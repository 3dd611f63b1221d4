import { FakeTwitch, type FakeTwitchOptions } from './FakeTwitch.js';

/** Starts a fake Twitch on loopback. Point twurple at it with `process.env.TWURPLE_MOCK_API_PORT = String(fake.port)`. */
export async function startFakeTwitch(options: FakeTwitchOptions = {}): Promise<FakeTwitch> {
  const fake = new FakeTwitch(options);
  await fake.listen(options.port ?? 0);
  return fake;
}

export { FakeTwitch, type FakeTwitchOptions } from './FakeTwitch.js';
export { FakeClock } from './FakeClock.js';
export type { FaultSpec } from './FaultInjector.js';
export type { RequestLogEntry } from './RequestLog.js';
export type { IssuedUserToken } from './TokenStore.js';
export type { RateLimitOptions, RateLimitState } from './TokenBucket.js';
export type { EventSubOptions, FakeSession, FakeSubscription, SubscriptionStatus } from './EventSubHub.js';
export type { GenerateClipsInput } from './clipGenerator.js';
export type * from './types.js';
export { seedDemoData, type DemoSeed } from './seedDemoData.js';
