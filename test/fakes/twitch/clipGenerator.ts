import { toMillis, type AddClipInput, type Instant } from './types.js';

export interface GenerateClipsInput {
  broadcasterId: string;
  count: number;
  /** created_at is spread uniformly over [from, to). */
  from: Instant;
  to: Instant;
  /** Picked at random per clip; empty means the broadcaster's current game. */
  gameIds?: string[];
  creatorIds?: string[];
  language?: string;
  /** Views are drawn from a long-tailed distribution up to this many. */
  maxViews?: number;
  /** Same seed, same clips: tests stay deterministic. */
  seed?: number;
  visibleAfterMs?: number;
  titlePrefix?: string;
}

const WORDS = [
  'insane',
  'clutch',
  'fail',
  'ace',
  'speedrun',
  'boss',
  'funny',
  'rage',
  'win',
  'glitch',
  'hype',
  'no way',
];

/** mulberry32: a tiny seeded PRNG, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds clip inputs for bulk seeding; FakeTwitch.generateClips adds them. */
export function generateClipInputs(input: GenerateClipsInput): AddClipInput[] {
  const random = seededRandom(input.seed ?? 1);
  const from = toMillis(input.from);
  const to = toMillis(input.to);
  if (!(to > from)) {
    throw new Error('generateClips: "to" must be after "from"');
  }
  const maxViews = input.maxViews ?? 100_000;
  const result: AddClipInput[] = [];
  for (let i = 0; i < input.count; i++) {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const title = `${input.titlePrefix ?? 'Clip'} ${pick(WORDS)} ${pick(WORDS)} #${i + 1}`;
    result.push({
      broadcasterId: input.broadcasterId,
      title,
      createdAt: from + Math.floor(random() * (to - from)),
      viewCount: Math.floor(maxViews * random() ** 4),
      durationSeconds: Math.round((5 + random() * 55) * 10) / 10,
      ...(input.gameIds?.length ? { gameId: pick(input.gameIds) } : {}),
      ...(input.creatorIds?.length ? { creatorId: pick(input.creatorIds) } : {}),
      ...(input.language ? { language: input.language } : {}),
      ...(input.visibleAfterMs !== undefined ? { visibleAfterMs: input.visibleAfterMs } : {}),
    });
  }
  return result;
}
