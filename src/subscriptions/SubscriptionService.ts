import type { SqlExecutor } from '../db/Database.js';
import type { ClipSync } from '../sync/ClipSync.js';
import {
  createSubscription,
  type CreateSubscriptionOptions,
  type CreateSubscriptionResult,
} from './createSubscription.js';
import {
  findSubscription,
  listSubscriptions,
  pauseSubscription,
  removeSubscription,
  resumeSubscription,
} from './manageSubscriptions.js';
import type { SubscriptionView } from './SubscriptionView.js';

type Reference = { guildId: string; reference: string };

/** The subscription services bound to their dependencies, for commands (built once in src/main.ts). */
export interface SubscriptionService {
  readonly quota: number;
  create(input: Omit<CreateSubscriptionOptions, 'sql' | 'sync' | 'quota'>): Promise<CreateSubscriptionResult>;
  list(input: { guildId: string }): Promise<SubscriptionView[]>;
  find(input: Reference): Promise<SubscriptionView>;
  remove(input: Reference): Promise<SubscriptionView>;
  pause(input: Reference): Promise<{ subscription: SubscriptionView; changed: boolean }>;
  resume(
    input: Reference,
  ): Promise<{ subscription: SubscriptionView; changed: boolean; previousReason: string | null }>;
}

export function createSubscriptionService(deps: {
  sql: SqlExecutor;
  sync: Pick<ClipSync, 'trackChannel'>;
  /** SUBSCRIPTIONS_PER_GUILD. */
  quota: number;
}): SubscriptionService {
  const { sql } = deps;
  return {
    quota: deps.quota,
    create: (input) => createSubscription({ ...input, sql, sync: deps.sync, quota: deps.quota }),
    list: (input) => listSubscriptions({ ...input, sql }),
    find: (input) => findSubscription({ ...input, sql }),
    remove: (input) => removeSubscription({ ...input, sql }),
    pause: (input) => pauseSubscription({ ...input, sql }),
    resume: (input) => resumeSubscription({ ...input, sql }),
  };
}
