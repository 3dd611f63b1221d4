import { describe, expect, it } from 'vitest';
import { batchWhileBusy } from './batchWhileBusy.js';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('batchWhileBusy', () => {
  it('runs a lone call at once and groups the calls made while a batch runs', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const double = batchWhileBusy(
      async (items: number[]) => {
        batches.push(items);
        if (batches.length === 1) await gate.promise;
        return items.map((item) => item * 2);
      },
      { maxBatch: 10 },
    );
    const first = double(1);
    const rest = [double(2), double(3), double(4)];
    expect(batches).toEqual([[1]]);
    gate.resolve();
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const echo = batchWhileBusy(
      async (items: string[]) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2 },
    );
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(echo));
    expect(results).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('rejects every caller of a failed batch and keeps serving later ones', async () => {
    let calls = 0;
    const flaky = batchWhileBusy(
      async (items: number[]) => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return items;
      },
      { maxBatch: 10 },
    );
    await expect(flaky(1)).rejects.toThrow('database down');
    await expect(flaky(2)).resolves.toBe(2);
  });

  it('rejects when the batch returns the wrong number of results', async () => {
    const broken = batchWhileBusy(async () => [], { maxBatch: 10 });
    await expect(broken(1)).rejects.toThrow('batch returned 0 results for 1 items');
  });
});
