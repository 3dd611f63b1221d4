import { upsertBroadcasters, upsertClips, upsertGames } from '../../src/clips/clipStore.js';
import type { Database } from '../../src/db/Database.js';
import type { SyntheticCorpus } from './syntheticClips.js';

/** Stores the corpus's channels, games and its first `clips` clips (two writers, batches of 5,000). */
export async function ingestSyntheticClips(
  db: Database,
  corpus: SyntheticCorpus,
  clips: number,
  progress: (message: string) => void,
): Promise<void> {
  await upsertBroadcasters(db.sql, corpus.broadcasters);
  await upsertGames(db.sql, corpus.games);
  const now = new Date();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < clips) {
        const from = next;
        next += 5_000;
        const batch = Array.from({ length: Math.min(5_000, clips - from) }, (_, i) => corpus.clip(from + i));
        await upsertClips(db.sql, batch, now);
        if (from % 100_000 === 0) progress(`ingested ${from}/${clips}`);
      }
    }),
  );
}
