import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/config.js';
import { createSecretScrubber, REDACTED } from './scrubSecrets.js';

export type Logger = PinoLogger;

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Where JSON lines go; stdout by default. Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /** Exact secret values (bot token, client secret, metrics token…) that must never appear in output. */
  secrets?: readonly (string | undefined)[];
}

// Keys whose values are secret wherever they appear at the top level or one level down. Deeper nesting is
// caught by the line scrubber, which also recognises these keys inside the serialised JSON.
const SECRET_FIELDS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'authorization',
  'cookie',
  'metricsToken',
  'tokenEncryptionKey',
  'oauthCode',
  'authorizationCode',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // OAuth authorisation codes arrive as ?code=…; a bare `code` field is an error code and stays visible.
  'query.code',
  '*.query.code',
  'req.query.code',
];

/**
 * The one logger of the process: JSON lines (pino) with ISO timestamps and level names. Secrets are removed
 * twice: by field name (pino redaction) and by scrubbing every serialised line for tokens embedded in
 * strings (error messages, URLs, "Bearer …"). Modules take a child: `logger.child({ component: 'cache' })`.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const scrub = createSecretScrubber(options.secrets);
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
