import type { Client } from 'discord.js';
import type { InvalidRequestWarningData, RateLimitData } from '@discordjs/rest';
import type { Logger } from '../observability/logger.js';
import { scrubSecrets } from '../observability/scrubSecrets.js';
import { withComponent } from '../observability/withComponent.js';

/**
 * discord.js emits diagnostics as events instead of logging. This routes them into our logger: gateway
 * debug lines at debug (heartbeats make them chatty), warnings and errors as such, REST rate limits and
 * invalid-request warnings (the precursor of a temporary ban) as warnings. Returns a function that
 * detaches every listener, for shutdown.
 */
export function routeDiscordDiagnostics(client: Client, logger: Logger): () => void {
  const log = withComponent(logger, 'discord');

  const onDebug = (message: string): void => {
    // Skip the scrubbing work for the many heartbeat lines when debug is off.
    if (log.isLevelEnabled('debug')) log.debug(scrubSecrets(message));
  };
  const onWarn = (message: string): void => log.warn(scrubSecrets(message));
  const onError = (error: Error): void => log.error({ err: error }, 'discord.js client error');
  const onRateLimited = (info: RateLimitData): void => {
    // The URL is left out on purpose: webhook and interaction URLs carry tokens, and the route is enough.
    const fields = {
      route: info.route,
      method: info.method,
      majorParameter: info.majorParameter,
      scope: info.scope,
      global: info.global,
      limit: info.limit,
      retryAfterMs: info.retryAfter,
    };
    // Per-route limits are routine (the REST queue waits them out); a global limit means we are sending too much.
    if (info.global) log.warn(fields, 'Discord global rate limit hit');
    else log.info(fields, 'Discord rate limit hit; request queued');
  };
  const onInvalidRequestWarning = (info: InvalidRequestWarningData): void =>
    log.warn(
      { count: info.count, remainingTimeMs: info.remainingTime },
      'Many invalid Discord requests (401/403/429); Discord bans the bot temporarily at 10,000 in 10 minutes',
    );

  client.on('debug', onDebug);
  client.on('warn', onWarn);
  client.on('error', onError);
  client.rest.on('rateLimited', onRateLimited);
  client.rest.on('invalidRequestWarning', onInvalidRequestWarning);

  return () => {
    client.off('debug', onDebug);
    client.off('warn', onWarn);
    client.off('error', onError);
    client.rest.off('rateLimited', onRateLimited);
    client.rest.off('invalidRequestWarning', onInvalidRequestWarning);
  };
}
