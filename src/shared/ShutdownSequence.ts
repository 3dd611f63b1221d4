import type { Logger } from 'pino';

interface ShutdownStep {
  name: string;
  stop: () => Promise<void> | void;
  reserveMs: number;
}

/**
 * Stops what main started, in reverse order of start (loops before the connections they use), within one
 * overall deadline. A step that throws or hangs is logged and skipped so the rest still get their turn;
 * `run` resolves to false if any step failed or the deadline passed. A step added with `reserveMs` (closing
 * the database) always runs: the steps before it must finish that much before the deadline, and it gets at
 * least that long even when they overran.
 */
export class ShutdownSequence {
  private readonly steps: ShutdownStep[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  /** Registers `stop` to run before every step added earlier. */
  add(name: string, stop: ShutdownStep['stop'], options: { reserveMs?: number } = {}): void {
    this.steps.push({ name, stop, reserveMs: options.reserveMs ?? 0 });
  }

  /** Runs the steps once; later calls return the first run's result. */
  run(): Promise<boolean> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<boolean> {
    const deadline = Date.now() + this.deadlineMs;
    let clean = true;
    const order = [...this.steps].reverse();
    for (const [index, step] of order.entries()) {
      const reservedAfter = order.slice(index + 1).reduce((sum, later) => sum + later.reserveMs, 0);
      const remaining = Math.max(deadline - reservedAfter - Date.now(), step.reserveMs);
      if (remaining <= 0) {
        this.logger.error({ step: step.name }, 'shutdown deadline passed; skipping this step');
        clean = false;
        continue;
      }
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.stop),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not stop within ${remaining} ms`)), remaining);
          }),
        ]);
        this.logger.info({ step: step.name, ms: Date.now() - started }, 'stopped');
      } catch (error) {
        clean = false;
        this.logger.error({ err: error, step: step.name }, 'stop step failed');
      } finally {
        clearTimeout(timer);
      }
    }
    return clean;
  }
}
