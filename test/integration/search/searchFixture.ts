// Realistic clip titles (short, multilingual, emote-heavy) with the results a user would expect on top.
import type { ClipRecord } from '../../../src/clips/ClipRecord.js';
import type { BroadcasterRow, GameRow } from '../../../src/clips/clipStore.js';

export const FIXTURE_NOW = new Date('2026-11-01T12:00:00.000Z');

export const fixtureBroadcasters: BroadcasterRow[] = [
  { id: '1001', login: 'shroud', displayName: 'shroud' },
  { id: '1002', login: 'xqc', displayName: 'xQc' },
  { id: '1003', login: 'kato_junichi0817', displayName: '加藤純一' },
  { id: '1004', login: 'shroudfan', displayName: 'ShroudFan' },
];

export const fixtureGames: GameRow[] = [
  { id: '32399', name: 'Counter-Strike' },
  { id: '7193', name: 'Pokémon Red/Blue' },
  { id: '509658', name: 'Just Chatting' },
];

interface FixtureClip {
  id: string;
  title: string;
  views: number;
  daysAgo: number;
  broadcasterId?: string;
  gameId?: string | null;
  creator?: [string, string];
  language?: string;
}

const clips: FixtureClip[] = [
  { id: 'InsaneClutchOne', title: 'insane clutch 1v5 on inferno', views: 5000, daysAgo: 3, gameId: '32399' },
  { id: 'ClutchOrKick', title: 'CLUTCH or KICK? KEKW', views: 300, daysAgo: 10, gameId: '32399' },
  { id: 'ClutchesWeek', title: 'clutches compilation week 3', views: 800, daysAgo: 40, gameId: '32399' },
  {
    id: 'PokemonRecord',
    title: 'Pokémon Red speedrun world record',
    views: 12000,
    daysAgo: 200,
    gameId: '7193',
    broadcasterId: '1002',
  },
  {
    id: 'PokemonCards',
    title: 'pokemon cards opening PogChamp',
    views: 200,
    daysAgo: 2,
    gameId: '509658',
    broadcasterId: '1002',
  },
  { id: 'SaidThat', title: 'he really said that LUL', views: 50000, daysAgo: 30, broadcasterId: '1002' },
  {
    id: 'PrivetChat',
    title: 'Привет чат, смотрим новый патч',
    views: 700,
    daysAgo: 5,
    language: 'ru',
    broadcasterId: '1002',
  },
  {
    id: 'SmeshnoyMoment',
    title: 'Смешной момент с другом',
    views: 100,
    daysAgo: 6,
    language: 'ru',
    broadcasterId: '1002',
  },
  {
    id: 'KamiPlay',
    title: '今日の神プレイまとめ',
    views: 900,
    daysAgo: 1,
    language: 'ja',
    broadcasterId: '1003',
  },
  {
    id: 'HorrorScream',
    title: 'ホラーゲームで絶叫',
    views: 300,
    daysAgo: 8,
    language: 'ja',
    broadcasterId: '1003',
  },
  {
    id: 'ArabicShot',
    title: 'أفضل لقطة في البث',
    views: 400,
    daysAgo: 4,
    language: 'ar',
    broadcasterId: '1002',
  },
  { id: 'HebrewHello', title: 'שלום לכולם', views: 50, daysAgo: 4, language: 'he', broadcasterId: '1002' },
  { id: 'ThaiFunny', title: 'ไม่ได้นะ ตลกมาก', views: 100, daysAgo: 4, language: 'th', broadcasterId: '1002' },
  {
    id: 'RagesAtChat',
    title: 'streamer rages at chat 😂😂',
    views: 3000,
    daysAgo: 12,
    broadcasterId: '1002',
  },
  { id: 'BestHeadshot', title: 'the best headshot ever', views: 600, daysAgo: 20, gameId: '32399' },
  { id: 'BestHeadshots', title: 'Best headshots of 2024', views: 20000, daysAgo: 300, gameId: '32399' },
  { id: 'EsportsFinals', title: 'e-sports finals game 5', views: 1500, daysAgo: 15, gameId: '32399' },
  {
    id: 'CafeCreme',
    title: 'Café crème debate',
    views: 100,
    daysAgo: 50,
    gameId: '509658',
    broadcasterId: '1002',
  },
  { id: 'PogMoment', title: 'pogchamp moment', views: 40, daysAgo: 9, broadcasterId: '1004' },
  {
    id: 'AnyGlitch',
    title: 'speedrun any% glitch',
    views: 2500,
    daysAgo: 70,
    gameId: '7193',
    broadcasterId: '1004',
  },
  {
    id: 'KekwSpam',
    title: 'KEKW chat spam',
    views: 10,
    daysAgo: 0.5,
    broadcasterId: '1004',
    creator: ['9002', 'ClipQueen'],
  },
  {
    id: 'OmegaFail',
    title: 'OMEGALUL fail',
    views: 70,
    daysAgo: 400,
    broadcasterId: '1004',
    creator: ['9003', 'clipper_bob'],
  },
];

export function fixtureClip(clip: FixtureClip): ClipRecord {
  const [creatorId, creatorName] = clip.creator ?? ['9001', 'ClipMaster'];
  return {
    id: clip.id,
    broadcasterId: clip.broadcasterId ?? '1001',
    creatorId,
    creatorName,
    videoId: null,
    gameId: clip.gameId ?? null,
    language: clip.language ?? 'en',
    title: clip.title,
    viewCount: clip.views,
    createdAt: new Date(FIXTURE_NOW.getTime() - clip.daysAgo * 86_400_000),
    thumbnailUrl: `https://clips-media-assets2.twitch.tv/${clip.id}-preview-480x272.jpg`,
    url: `https://clips.twitch.tv/${clip.id}`,
    embedUrl: `https://clips.twitch.tv/embed?clip=${clip.id}`,
    durationSec: 30,
    vodOffset: null,
    isFeatured: false,
  };
}

export const fixtureClips: ClipRecord[] = clips.map(fixtureClip);

/** Query → ids expected first (in order) and, optionally, ids that must also be among the results. */
export const relevanceExpectations: Array<{
  text: string;
  top: string[];
  alsoIncludes?: string[];
  excludes?: string[];
}> = [
  { text: 'clucth', top: ['InsaneClutchOne'], alsoIncludes: ['ClutchOrKick', 'ClutchesWeek'] },
  { text: 'pokemon', top: ['PokemonRecord', 'PokemonCards'] },
  { text: 'Pokémon', top: ['PokemonRecord', 'PokemonCards'] },
  { text: 'POKE', top: ['PokemonRecord'], alsoIncludes: ['PokemonCards'] },
  { text: 'headshot', top: ['BestHeadshot', 'BestHeadshots'] },
  { text: 'best headshot', top: ['BestHeadshot'], alsoIncludes: ['BestHeadshots'] },
  { text: '"best headshot"', top: ['BestHeadshot'], excludes: ['BestHeadshots'] },
  {
    text: 'clutch -kekw',
    top: ['InsaneClutchOne'],
    alsoIncludes: ['ClutchesWeek'],
    excludes: ['ClutchOrKick'],
  },
  { text: 'utch', top: ['InsaneClutchOne'] },
  { text: 'pogchamp', top: ['PokemonCards', 'PogMoment'] },
  { text: 'kekw', top: ['ClutchOrKick', 'KekwSpam'] },
  { text: 'cafe creme', top: ['CafeCreme'] },
  { text: 'e-sports', top: ['EsportsFinals'] },
  { text: 'speedrun', top: ['PokemonRecord', 'AnyGlitch'] },
  { text: 'привет', top: ['PrivetChat'] },
  { text: 'ПРИВЕТ ЧАТ', top: ['PrivetChat'] },
  { text: 'смеш', top: ['SmeshnoyMoment'] },
  { text: 'смешнои', top: ['SmeshnoyMoment'] },
  { text: '神プレイ', top: ['KamiPlay'] },
  { text: '神', top: ['KamiPlay'] },
  { text: 'ホラー', top: ['HorrorScream'] },
  { text: 'لقطة', top: ['ArabicShot'] },
  { text: 'שלום', top: ['HebrewHello'] },
  { text: 'ตลก', top: ['ThaiFunny'] },
];
