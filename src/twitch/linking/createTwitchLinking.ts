import type { Registry } from 'prom-client';
import type { SqlExecutor } from '../../db/Database.js';
import type { ReadinessCheck } from '../../http/readiness.js';
import type { Logger } from '../../observability/logger.js';
import { AppError } from '../../shared/errors.js';
import type { EventSubManager } from './EventSubManager.js';
import { listLinkedAccounts } from './linkedAccounts.js';
import { createTokenKeyring } from './tokenCipher.js';
import { createTwitchLinkFlow, type TwitchLinkFlow } from './TwitchLinkFlow.js';

export interface TwitchLinking {
  flow: TwitchLinkFlow;
  eventSub: EventSubManager;
  /** Non-required /readyz check: linked accounts whose stored token cannot be decrypted. */
  tokensReadiness: ReadinessCheck;
}

/**
 * Twitch account linking (OAuth flow + EventSub WebSocket for linked broadcasters). Enabled when the operator
 * sets both PUBLIC_URL (Twitch redirects browsers there) and TOKEN_ENCRYPTION_KEY (refresh tokens are stored
 * encrypted); returns null otherwise, and live state then comes from Get Streams alone.
 */
export async function createTwitchLinking(options: {
  clientId: string;
  clientSecret: string;
  publicUrl: string | undefined;
  tokenEncryptionKey: Buffer | undefined;
  tokenEncryptionOldKeys: readonly Buffer[];
  /** Set when twurple is pointed at a fake Twitch: browsers are sent to the fake's authorize page. */
  mockApiPort: number | undefined;
  sql: SqlExecutor;
  registry: Registry;
  logger: Logger;
  onLiveChange: (broadcasterId: string, isLive: boolean) => Promise<void>;
}): Promise<TwitchLinking | null> {
  const logger = options.logger.child({ component: 'twitch-linking' });
  const key = options.tokenEncryptionKey;
  if (!key) {
    // Stored refresh tokens are useless without the key that encrypted them: refuse rather than silently
    // dropping every linked broadcaster back to polling.
    const linked = await listLinkedAccounts(options.sql);
    if (linked.length > 0) {
      throw new AppError(
        'config.tokenEncryptionKeyRequired',
        `${linked.length} Twitch account(s) are linked, but TOKEN_ENCRYPTION_KEY is not set. Set it to the key ` +
          'used when they were linked (see docs/configuration.md).',
      );
    }
  }
  if (!key || !options.publicUrl) {
    logger.info('Twitch account linking disabled (set PUBLIC_URL and TOKEN_ENCRYPTION_KEY to enable it)');
    return null;
  }
  const keyring = createTokenKeyring(key, options.tokenEncryptionOldKeys);
  // Loaded only when linking is enabled: twurple's EventSub packages are ~230 modules (3 MB of heap, 5–7 MB
  // resident in a bare process) that a bot without linked accounts never uses. This runs at start-up, never
  // inside an interaction.
  const { createEventSubManager } = await import('./EventSubManager.js');
  const eventSub = createEventSubManager({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    keyring,
    sql: options.sql,
    logger,
    registry: options.registry,
    onLiveChange: options.onLiveChange,
  });
  const flow = createTwitchLinkFlow({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    publicUrl: options.publicUrl,
    keyring,
    sql: options.sql,
    logger,
    // twurple's mock port redirects API calls but not browsers: send the browser to the fake's authorize page.
    ...(options.mockApiPort
      ? { authorizeUrl: `http://localhost:${options.mockApiPort}/auth/authorize` }
      : {}),
    onLinked: (account) => eventSub.addAccount(account),
  });
  const tokensReadiness: ReadinessCheck = {
    required: false,
    check: () => {
      const count = eventSub.undecryptableAccounts();
      // The ids are in the log; the probe says only how many and what to do.
      return count === 0
        ? { up: true }
        : { up: false, detail: `${count} linked account(s) cannot be decrypted: check TOKEN_ENCRYPTION_KEY` };
    },
  };
  return { flow, eventSub, tokensReadiness };
}
