/**
 * Group commit: turns a function of many items into a function of one. A call made while no batch runs
 * starts one at once (no added latency when traffic is light); calls made while a batch runs wait and go
 * together in the next one, at most `maxBatch` per batch. Under load, N callers then cost about N /
 * batch-size round trips instead of N. `run` must return one result per item, in order; if it throws,
 * every caller of that batch gets the error.
 */
export function batchWhileBusy<I, O>(
  run: (items: I[]) => Promise<O[]>,
  options: { maxBatch: number },
): (item: I) => Promise<O> {
  interface Waiting {
    item: I;
    resolve(value: O): void;
    reject(error: unknown): void;
  }
  const queue: Waiting[] = [];
  let busy = false;

  const flush = async (): Promise<void> => {
    busy = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      try {
        const results = await run(batch.map((waiting) => waiting.item));
        if (results.length !== batch.length) {
          throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
        }
        batch.forEach((waiting, index) => waiting.resolve(results[index]!));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    busy = false;
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!busy) void flush();
    });
}
