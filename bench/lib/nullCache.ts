import type { Cache } from '../../src/cache/Cache.js';

/** A cache that never hits, so the bench measures the database and not the hot-query cache. */
export const nullCache: Cache = {
  kind: 'memory',
  get: () => Promise.resolve(undefined),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
  deleteByPrefix: () => Promise.resolve(),
  increment: () => Promise.resolve(undefined),
  health: () => ({ up: true }),
  close: () => Promise.resolve(),
};
