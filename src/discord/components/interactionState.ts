import { randomBytes } from 'node:crypto';
import type { Cache } from '../../cache/Cache.js';

/** Paging state outlives Discord's 15-minute interaction token a little; after that buttons say "expired". */
export const INTERACTION_STATE_TTL_SECONDS = 30 * 60;
const PREFIX = 'ui-state:v1:';
/** 12 base64url characters = 72 random bits: a key cannot be guessed to reach another member's state. */
const KEY = /^[A-Za-z0-9_-]{12}$/;

/** State a message's components need (a query, cursors, who may press), stored in the cache behind a short key. */
export interface InteractionStateStore {
  create<T>(value: T): Promise<string>;
  get<T>(key: string): Promise<T | undefined>;
  update<T>(key: string, value: T): Promise<void>;
}

/**
 * When the cache loses the state (expiry, restart of the memory cache, Redis outage), `get` answers
 * undefined and the handler shows the friendly "expired" message: paging state is worth nothing durable.
 */
export function createInteractionStateStore(cache: Cache): InteractionStateStore {
  return {
    async create(value) {
      const key = randomBytes(9).toString('base64url');
      await cache.set(PREFIX + key, value, INTERACTION_STATE_TTL_SECONDS);
      return key;
    },
    async get<T>(key: string) {
      if (!KEY.test(key)) return undefined;
      return cache.get<T>(PREFIX + key);
    },
    async update(key, value) {
      if (!KEY.test(key)) return;
      await cache.set(PREFIX + key, value, INTERACTION_STATE_TTL_SECONDS);
    },
  };
}
