import { scrubSecrets } from '../observability/scrubSecrets.js';

/** What a dependency check reports. `detail` is shown on /readyz: keep it short and free of secrets. */
export interface DependencyStatus {
  up: boolean;
  detail?: string;
}

export interface ReadinessCheck {
  /** A required dependency that is down makes the process not ready (503); an optional one is only reported. */
  required: boolean;
  /** The check counts as down when it takes longer. Default 2000 ms. */
  timeoutMs?: number;
  /**
   * Either report a status, or resolve with nothing for "up" and throw for "down" (e.g. `() => db.ping()`).
   * The signal is aborted on timeout, so a check can cancel its query or request.
   */
  // void (not undefined) so `() => db.ping()`, typed Promise<void>, fits without a wrapper.
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
  check: (signal: AbortSignal) => Promise<DependencyStatus | void> | DependencyStatus | void;
}

/** Checks by dependency name, e.g. `{ database, cache, discord, twitch }`. */
export type ReadinessChecks = Record<string, ReadinessCheck>;

export interface CheckReport {
  status: 'up' | 'down';
  detail?: string;
  required: boolean;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckReport>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<CheckReport> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<DependencyStatus>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ up: false, detail: `check timed out after ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([
      Promise.resolve().then(() => check.check(controller.signal)),
      timedOut,
    ]);
    return toReport(result ?? { up: true }, check.required);
  } catch (error) {
    return toReport({ up: false, detail: `check failed: ${(error as Error).message}` }, check.required);
  } finally {
    clearTimeout(timer);
  }
}

function toReport(result: DependencyStatus, required: boolean): CheckReport {
  return {
    status: result.up ? 'up' : 'down',
    // Details often quote driver errors, which may quote connection strings.
    ...(result.detail ? { detail: scrubSecrets(result.detail) } : {}),
    required,
  };
}

/** Runs every check concurrently, each under its own timeout. Ready means every required check is up. */
export async function evaluateReadiness(checks: ReadinessChecks): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const reports = await Promise.all(names.map((name) => runCheck(checks[name]!)));
  const byName = Object.fromEntries(names.map((name, index) => [name, reports[index]!]));
  const ready = reports.every((report) => !report.required || report.status === 'up');
  return { status: ready ? 'ready' : 'not_ready', checks: byName };
}

/** The cache is optional: when it is down the bot answers from the database, slower but correct. */
export function cacheReadinessCheck(cache: { health(): DependencyStatus }): ReadinessCheck {
  return { required: false, check: () => cache.health() };
}
