import type { Database } from './Database.js';

/**
 * Prisma loads and compiles its query compiler (WebAssembly) on the first model query, and plans each
 * query shape on first use: measured 1–3 s of CPU on a busy 2-core machine. The first interaction after a
 * start would pay it and miss Discord's 3 s window to acknowledge ("Unknown interaction"); start-up pays it
 * instead, with the lookup every clip list makes.
 */
export async function warmUpQueryEngine(db: Database): Promise<void> {
  await db.prisma.broadcaster.findMany({
    where: { id: { in: [] } },
    select: { id: true, displayName: true },
  });
}
