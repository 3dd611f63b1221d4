/**
 * Removes credentials embedded in free text: error messages, URLs, library debug lines and whole serialised
 * log lines. Structured fields are redacted by key in the logger; this catches what keys cannot, such as a
 * token inside `err.message` or an OAuth `?code=` in a logged URL. Replacements keep JSON valid, so it is
 * safe to run over a serialised log line.
 */
export const REDACTED = '[REDACTED]';

// Key names whose values are always secret, in snake_case (wire formats) and camelCase (our objects).
// `code` is deliberately absent: it is also the name of error codes (ECONNREFUSED, Discord 50013) that
// operators need; OAuth codes are caught in query strings instead.
const SECRET_KEYS = [
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'client_secret',
  'clientSecret',
  'token',
  'secret',
  'password',
  'authorization',
  'cookie',
  'set-cookie',
  'metricsToken',
  'tokenEncryptionKey',
].join('|');

const RULES: readonly [RegExp, string][] = [
  // Authorization header values. The shapes are tight enough to leave prose alone ("Bot connected as …",
  // "Basic authentication failed"): Twitch tokens are 30 alphanumerics, Discord bot tokens contain dots.
  [/\b(Bearer|OAuth)(\s+)[A-Za-z0-9._~+/=-]{16,}/gi, `$1$2${REDACTED}`],
  [/\b(Bot)(\s+)[A-Za-z0-9_-]+\.[A-Za-z0-9._-]+/g, `$1$2${REDACTED}`],
  [/\b(Basic)(\s+)(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}/g, `$1$2${REDACTED}`],
  // Query strings and form bodies: ?code=…, &access_token=…, client_secret=… (also the #fragment form).
  [/([?&#]code=)[^&#\s"'\\]+/gi, `$1${REDACTED}`],
  // The signed URL of `/twitch link` (…/auth/twitch/start?link=…) lets whoever holds it link a Twitch account
  // for 30 minutes; it travels in reply payloads, which Discord API errors quote back (requestBody).
  [/([?&]link=)[^&#\s"'\\)\]]+/gi, `$1${REDACTED}`],
  [
    /(?<![A-Za-z0-9_])((?:access_token|refresh_token|id_token|client_secret|token|password|secret|api_key)=)[^&#\s"'\\]+/gi,
    `$1${REDACTED}`,
  ],
  // Credentials in URLs: scheme://user:password@host (PostgreSQL and Redis URLs).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@"'\\]*:)[^@/?#\s"'\\]+@/gi, `$1${REDACTED}@`],
  // Interaction and webhook tokens travel in REST paths: /webhooks/{app id}/{token}, /interactions/{id}/{token}.
  [/(\/(?:webhooks|interactions)\/\d{17,20}\/)[A-Za-z0-9_.-]{20,}/g, `$1${REDACTED}`],
  // Discord bot tokens (base64 id . timestamp . hmac) and JWT-shaped strings.
  [/\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{20,}\b/g, REDACTED],
  // JSON embedded in strings, plain ("key":"value") and escaped inside another JSON string (\"key\":\"value\").
  [new RegExp(`"(${SECRET_KEYS})"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `"$1"$2"${REDACTED}"`],
  [
    new RegExp(`\\\\"(${SECRET_KEYS})\\\\"(\\s*:\\s*)\\\\"[^"\\\\]*\\\\"`, 'gi'),
    `\\"$1\\"$2\\"${REDACTED}\\"`,
  ],
];

/** Returns `text` with every recognised credential replaced by `[REDACTED]`. */
export function scrubSecrets(text: string): string {
  let result = text;
  for (const [pattern, replacement] of RULES) result = result.replace(pattern, replacement);
  return result;
}

/**
 * Values shorter than this are not scrubbed by value. Every secret the bot generates or documents is far longer
 * (Discord bot token ~70, Twitch client secret 30, TOKEN_ENCRYPTION_KEY 44, METRICS_TOKEN ≥ 16 characters), while
 * short configured values are typically default passwords that are also ordinary words: with a database password
 * of `postgres`, by-value scrubbing turned `"backend":"postgres"` into `[REDACTED]`. Short passwords stay covered
 * where they actually appear: in `password`/`secret` fields (redacted by name) and in `scheme://user:pass@` URLs.
 */
export const MIN_SCRUBBED_SECRET_LENGTH = 12;

/**
 * Builds a scrubber that also removes exact known secret values (the configured bot token, client secret,
 * metrics token…), whatever shape they take, when they are long enough to be secrets
 * ({@link MIN_SCRUBBED_SECRET_LENGTH}).
 */
export function createSecretScrubber(
  knownSecrets: readonly (string | undefined)[] = [],
): (text: string) => string {
  const needles = [
    ...new Set(
      knownSecrets
        .filter(
          (secret): secret is string => secret !== undefined && secret.length >= MIN_SCRUBBED_SECRET_LENGTH,
        )
        // A serialised log line contains the JSON-escaped form of a value.
        .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]),
    ),
  ].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return scrubSecrets;
  const exact = new RegExp(
    needles.map((needle) => needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  return (text) => scrubSecrets(text.replace(exact, REDACTED));
}
