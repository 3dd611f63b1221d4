/** One injected failure. Faults are consumed one per matching request, first in first out. */
export type FaultSpec =
  /** Reply with this status and a Twitch-shaped error body (5xx are retried by twurple). */
  | { kind: 'status'; status: number; message?: string }
  /** 429 with Ratelimit-Remaining: 0 and a reset `resetAfterMs` ahead: twurple waits and retries. */
  | { kind: 'rateLimited'; resetAfterMs?: number }
  /** Hold the request this long, then answer normally. */
  | { kind: 'latency'; ms: number }
  /** 200 with a body that is not valid JSON. */
  | { kind: 'malformed' }
  /** 200 with `{ data: [], pagination: {} }`. */
  | { kind: 'empty' }
  /** This JSON body (any shape, e.g. a malformed Helix reply) with `status` (default 200). */
  | { kind: 'body'; body: unknown; status?: number }
  /** Destroy the connection without answering (a network error for the client). */
  | { kind: 'disconnect' };

interface QueuedFault {
  fault: FaultSpec;
  remaining: number;
}

/**
 * Endpoint names are the Helix path without prefix ('clips', 'users', 'search/channels',
 * 'eventsub/subscriptions'), 'auth/token', 'auth/validate', or '*' for any endpoint.
 */
export class FaultInjector {
  private readonly queues = new Map<string, QueuedFault[]>();

  inject(endpoint: string, fault: FaultSpec, times = 1): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new Error('fake twitch: fault times must be a positive integer');
    }
    const queue = this.queues.get(endpoint) ?? [];
    queue.push({ fault, remaining: times });
    this.queues.set(endpoint, queue);
  }

  /**
   * Takes the next fault for this endpoint (specific faults before '*'), if any. With `unless`, a next fault
   * of that kind is left queued (for the next request) and nothing is taken.
   */
  take(endpoint: string, unless?: FaultSpec['kind']): FaultSpec | undefined {
    return this.takeFrom(endpoint, unless) ?? this.takeFrom('*', unless);
  }

  pending(endpoint?: string): number {
    const queues = endpoint === undefined ? [...this.queues.values()] : [this.queues.get(endpoint) ?? []];
    return queues.flat().reduce((sum, q) => sum + q.remaining, 0);
  }

  clear(): void {
    this.queues.clear();
  }

  private takeFrom(endpoint: string, unless?: FaultSpec['kind']): FaultSpec | undefined {
    const queue = this.queues.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head || head.fault.kind === unless) {
      return undefined;
    }
    head.remaining--;
    if (head.remaining === 0) {
      queue.shift();
    }
    return head.fault;
  }
}
