export interface RequestLogEntry {
  /** Real epoch ms. */
  at: number;
  method: string;
  /** 'clips', 'users', 'eventsub/subscriptions', 'auth/token', 'ws', ... */
  endpoint: string;
  query: Record<string, string[]>;
  status: number;
  /** The token's user; null for app tokens, undefined when unauthenticated. */
  userId: string | null | undefined;
  fault?: string;
}

// Secrets never reach the log.
const REDACTED_PARAMS = new Set(['client_secret', 'refresh_token', 'code', 'token', 'access_token']);

/** Per-endpoint call counters and a bounded request log. */
export class RequestLog {
  private readonly counts = new Map<string, number>();
  private readonly entries: RequestLogEntry[] = [];

  constructor(private readonly maxEntries = 20_000) {}

  count(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  record(entry: Omit<RequestLogEntry, 'query'> & { query: URLSearchParams }): void {
    const query: Record<string, string[]> = {};
    for (const key of new Set(entry.query.keys())) {
      query[key] = REDACTED_PARAMS.has(key) ? ['[redacted]'] : entry.query.getAll(key);
    }
    this.entries.push({ ...entry, query });
    if (this.entries.length > this.maxEntries) {
      this.entries.splice(0, this.entries.length - this.maxEntries);
    }
  }

  callCount(endpoint?: string): number {
    if (endpoint === undefined) {
      return [...this.counts.values()].reduce((a, b) => a + b, 0);
    }
    return this.counts.get(endpoint) ?? 0;
  }

  list(endpoint?: string): RequestLogEntry[] {
    return endpoint === undefined ? [...this.entries] : this.entries.filter((e) => e.endpoint === endpoint);
  }

  reset(): void {
    this.counts.clear();
    this.entries.length = 0;
  }
}
