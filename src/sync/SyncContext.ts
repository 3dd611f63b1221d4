import type { Cache } from '../cache/Cache.js';
import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import type { TwitchAdapter } from '../twitch/twitchTypes.js';
import type { ClipSyncEmitter } from './clipEvents.js';
import type { ClipSyncOptions } from './clipSyncOptions.js';
import type { SyncMetrics } from './syncMetrics.js';

/** What every sync step needs; built once by createClipSync. */
export interface SyncContext {
  sql: SqlExecutor;
  twitch: TwitchAdapter;
  cache?: Cache;
  logger: Logger;
  metrics: SyncMetrics;
  emitter: ClipSyncEmitter;
  clock: () => Date;
  options: ClipSyncOptions;
  /** Current budget stretch factor (updated by the schedule refresh). */
  stretch: () => number;
  /**
   * Aborted when the sync is stopping: steps stop between pages, hand their claims back, and Twitch calls
   * waiting in the limiter give up at once instead of holding shutdown.
   */
  signal: AbortSignal;
}
