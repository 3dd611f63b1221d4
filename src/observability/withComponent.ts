import type { Logger } from './logger.js';

/**
 * Tags a logger with `component` unless the caller already did (main hands out `logger.child({ component })`).
 * pino would otherwise write the key twice in one JSON line.
 */
export function withComponent(logger: Logger, component: string): Logger {
  return logger.bindings().component === undefined ? logger.child({ component }) : logger;
}
