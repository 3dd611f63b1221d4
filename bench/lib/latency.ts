export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/**
 * Runs `work` for each input sequentially and returns per-call milliseconds; with a budget, stops once the
 * calls took `budgetMs` in all and at least `minSamples` ran.
 */
export async function timeEach<T>(
  inputs: T[],
  work: (input: T) => Promise<unknown>,
  limit: { budgetMs: number; minSamples: number } = { budgetMs: Infinity, minSamples: 0 },
): Promise<number[]> {
  const samples: number[] = [];
  const begun = performance.now();
  for (const input of inputs) {
    if (samples.length >= limit.minSamples && performance.now() - begun >= limit.budgetMs) break;
    const started = performance.now();
    await work(input);
    samples.push(performance.now() - started);
  }
  return samples;
}
