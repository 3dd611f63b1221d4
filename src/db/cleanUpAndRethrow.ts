/**
 * Runs the clean-up an error made necessary (ROLLBACK, releasing an advisory lock) and rethrows that error.
 * A clean-up that fails too must not replace the error that caused it, which is what an operator needs to
 * see: the clean-up's error is attached to it as `cleanupError` (pino logs it with the error) instead.
 * `onCleanupFailed` lets the caller discard a connection the failed clean-up left in an unknown state.
 */
export async function cleanUpAndRethrow(
  error: unknown,
  cleanup: () => Promise<unknown>,
  onCleanupFailed?: (cleanupError: unknown) => void,
): Promise<never> {
  try {
    await cleanup();
  } catch (cleanupError) {
    onCleanupFailed?.(cleanupError);
    attachCleanupError(error, cleanupError);
  }
  throw error;
}

/** Records on `error` that cleaning up after it failed too. */
export function attachCleanupError(error: unknown, cleanupError: unknown): void {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    (error as { cleanupError?: unknown }).cleanupError = cleanupError;
  }
}
