import type { ApiConfig } from '@twurple/api';
import type { Logger } from '../observability/logger.js';
import { scrubSecrets } from '../observability/scrubSecrets.js';
import { withComponent } from '../observability/withComponent.js';

/** twurple's logger options (from @d-fischer/logger), as accepted by ApiClient, auth providers and EventSub. */
export type TwurpleLoggerOptions = NonNullable<ApiConfig['logger']>;

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

// @d-fischer/logger's numeric LogLevel: CRITICAL 0, ERROR 1, WARNING 2, INFO 3, DEBUG 4, TRACE 7. A twurple
// "critical" is a failed component, not a dying process, so it maps to error rather than fatal.
const TWURPLE_TO_PINO: Record<number, PinoLevel> = {
  0: 'error',
  1: 'error',
  2: 'warn',
  3: 'info',
  4: 'debug',
  7: 'trace',
};

// twurple filters before calling us; tell it our threshold so debug lines are not even formatted.
const PINO_TO_TWURPLE_MIN: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  error: 'error',
  fatal: 'critical',
  silent: 'critical',
};

/**
 * Routes twurple's internal logging into our logger: pass the result as the `logger` option of ApiClient,
 * RefreshingAuthProvider/AppTokenAuthProvider and EventSubWsListener. Lines are scrubbed because twurple's
 * debug output includes request URLs. Lines carry `library: <name>` (e.g. `twurple-api`, `twurple-eventsub`)
 * and the caller's `component` (default `twitch`).
 */
export function twurpleLoggerOptions(logger: Logger, name = 'twurple'): TwurpleLoggerOptions {
  const log = withComponent(logger, 'twitch').child({ library: name });
  return {
    minLevel: PINO_TO_TWURPLE_MIN[logger.level] ?? 'info',
    custom: (level: number, message: string) => {
      const pinoLevel = TWURPLE_TO_PINO[level] ?? 'debug';
      if (log.isLevelEnabled(pinoLevel)) log[pinoLevel](scrubSecrets(message));
    },
  };
}
