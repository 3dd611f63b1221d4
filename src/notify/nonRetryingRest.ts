import { REST } from '@discordjs/rest';

/**
 * A REST client for requests Discord cannot de-duplicate (Start Thread in Forum, Execute Webhook: no nonce):
 * the bot's API address, version and timeout (DISCORD_REST_TIMEOUT_MS), but no automatic retry of a 5xx, a
 * timeout or a reset connection, since the lost answer's request may already have posted. 429s are still
 * waited out (a rate-limited request was not executed). The caller retries instead, after looking for the
 * first attempt's post. `token`: the bot token, for routes that need it (webhook-token routes pass
 * `auth: false`).
 */
export function nonRetryingRestLike(rest: REST, token?: string): REST {
  const client = new REST({
    api: rest.options.api,
    version: rest.options.version,
    timeout: rest.options.timeout,
    retries: 0,
  });
  return token === undefined ? client : client.setToken(token);
}
