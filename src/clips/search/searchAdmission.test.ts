import { describe, expect, it } from 'vitest';
import { SearchAdmission } from './searchAdmission.js';

/** A search that runs until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, work: () => opened.then(() => 'done') };
}

describe('SearchAdmission', () => {
  it('runs at most the concurrent limit at once and lets the next one in when a search ends', async () => {
    const admission = new SearchAdmission({ concurrent: 1, waiting: 4, perRequester: 2 });
    const first = gate();
    let secondStarted = false;
    const running = admission.run('a', first.work);
    const waiting = admission.run('b', async () => {
      secondStarted = true;
      return 'second';
    });
    await Promise.resolve();
    expect(admission.load).toEqual({ running: 1, waiting: 1 });
    expect(secondStarted).toBe(false);
    first.open();
    await expect(running).resolves.toBe('done');
    await expect(waiting).resolves.toBe('second');
    expect(admission.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a requester who already has the per-requester number of searches running', async () => {
    const admission = new SearchAdmission({ concurrent: 4, waiting: 4, perRequester: 2 });
    const slow = gate();
    const held = [admission.run('user', slow.work), admission.run('user', slow.work)];
    await expect(admission.run('user', async () => 'third')).rejects.toMatchObject({
      identifier: 'search.tooManyRunning',
      message: expect.stringMatching(/already have searches running/),
    });
    // Someone else is not affected, and the requester may search again once one has finished.
    await expect(admission.run('other', async () => 'ok')).resolves.toBe('ok');
    slow.open();
    await Promise.all(held);
    await expect(admission.run('user', async () => 'again')).resolves.toBe('again');
  });

  it('refuses at once when the line of waiting searches is full', async () => {
    const admission = new SearchAdmission({ concurrent: 1, waiting: 1, perRequester: 5 });
    const slow = gate();
    const running = admission.run(undefined, slow.work);
    const queued = admission.run(undefined, async () => 'queued');
    await expect(admission.run(undefined, async () => 'refused')).rejects.toMatchObject({
      identifier: 'search.busy',
    });
    slow.open();
    await expect(Promise.all([running, queued])).resolves.toEqual(['done', 'queued']);
  });

  it('frees the turn and the requester count when a search fails', async () => {
    const admission = new SearchAdmission({ concurrent: 1, waiting: 0, perRequester: 1 });
    await expect(
      admission.run('user', async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(admission.load).toEqual({ running: 0, waiting: 0 });
    await expect(admission.run('user', async () => 'ok')).resolves.toBe('ok');
  });
});
