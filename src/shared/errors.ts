/**
 * Expected failures a user can fix (bad option, unknown channel, tampered cursor). The central interaction
 * error handler shows `message` to the user, ephemerally; nothing is logged above debug.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    /** Stable machine-readable identifier, e.g. `search.emptyQuery`. */
    readonly identifier: string,
    message: string,
  ) {
    super(message);
  }
}

/** Unexpected or operational failures with a code for logs and metrics; never shown verbatim to users. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
