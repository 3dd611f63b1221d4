// Deterministic synthetic clip data for bench/searchBench.ts: Zipf-distributed words (a hand-written head
// of real stream vocabulary in several languages plus a generated long tail), Zipf views, broadcasters,
// games and clippers. Same seed, same data.
import type { ClipRecord } from '../../src/clips/ClipRecord.js';
import type { BroadcasterRow, GameRow } from '../../src/clips/clipStore.js';
import { seededRandom } from '../../test/fakes/twitch/clipGenerator.js';

/** Samples indexes 0..n-1 with probability ∝ 1 / (rank + 1)^s. */
export class ZipfSampler {
  readonly #cumulative: Float64Array;
  constructor(n: number, s: number) {
    this.#cumulative = new Float64Array(n);
    let total = 0;
    for (let rank = 0; rank < n; rank += 1) {
      total += 1 / Math.pow(rank + 1, s);
      this.#cumulative[rank] = total;
    }
    for (let rank = 0; rank < n; rank += 1) this.#cumulative[rank] = this.#cumulative[rank]! / total;
  }
  sample(random: () => number): number {
    const u = random();
    let low = 0;
    let high = this.#cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#cumulative[mid]! < u) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

const EN_HEAD = `the a i my this is so on in of to and what you it when chat no guys bro clutch insane play win lost
  gg ez wtf omg lol lmao funny moment best fail epic headshot ace 1v5 1v3 1v1 clip stream streamer raid donation
  sub hype rage quit jump scare scream boss fight speedrun record world glitch bug skip run death dies killed kill
  snipe sniper shot spray flick crazy wild lucky unlucky worst perfect final round match game ranked tournament
  finals grand championship team squad duo solo carry throw choke comeback reverse sweep nade molly smoke flash
  rush push hold defuse plant bomb spike clutched dance song singing music piano react reaction chatting story
  drama ban banned timeout mod vip emote dog cat pet baby mom dad friend wife husband bestie collab irl food cook
  eating spicy challenge prank troll trolled scammed rip oops nice wow yes please stop why how never ever again
  first last time today yesterday new old big little huge tiny fast slow pro noob tryhard sweaty goated based
  cringe sus imposter vent emergency meeting minecraft fortnite valorant league dota apex warzone gta elden ring
  souls pokemon mario zelda tarkov rust chess poker slots lethal company among us horror scary creepy monster`;
const EMOTES = `KEKW PogChamp LUL OMEGALUL Pog monkaS PepeHands Sadge Kappa 4Head residentSleeper EZ Clap catJAM
  pepeLaugh COPIUM Aware widepeepoHappy PauseChamp LULW forsenE xqcL Jebaited BibleThump NotLikeThis TriHard
  HeyGuys SeemsGood PogU peepoClap monkaW Kreygasm`;
const ES_HEAD = `el la los que de en un una y no es por qué jugada increíble épico gracias chat amigo partida
  ganar perder risa momento mejor peor muerte jefe corazón mañana niño sueño año también más`;
const PT_HEAD = `o a que de não é uma um muito jogada incrível mano galera ganhou perdeu vitória melhor pior
  coração ação sensação então você também lá`;
const DE_HEAD = `der die das und ist nicht ein eine mit ich du wir geil krass Spiel gewonnen verloren Fehler
  schön übel größte Mädchen Straße für über wütend`;
const FR_HEAD = `le la les et est pas un une je tu on mec trop incroyable partie gagné perdu raté énorme
  très déjà où ça fête café crème élève`;
const RU_HEAD = `и в не на я что это как чат привет смотрим игра победа поражение смешной момент лучший
  худший босс смерть друг стрим донат ого жесть капец топ клатч хэдшот ребята всем спасибо новый патч`;
const JA_HEAD = `今日 の 神 プレイ まとめ 配信 爆笑 ホラー ゲーム で 絶叫 最強 最弱 ボス 撃破 初見 切り抜き
  面白い 伝説 奇跡 事故 神回 雑談 歌 ガチャ 大爆死 ワンパン 勝利 敗北 マリオ ポケモン 発狂`;
const KO_HEAD = `오늘 방송 레전드 웃긴 장면 클립 게임 승리 패배 보스 최고 미친 대박 실화 ㅋㅋㅋ`;
const AR_HEAD = `أفضل لقطة في البث مضحك جدا فوز خسارة لعبة اليوم شباب الله يا`;
const TH_HEAD = `ไม่ ได้ นะ ตลก มาก เกม ชนะ แพ้ วันนี้ สุด ยอด คลิป`;

function words(list: string): string[] {
  return list.split(/\s+/).filter((w) => w.length > 0);
}

/** Pronounceable pseudo-words for the long tail (names, slang, typos people make in titles). */
function tail(random: () => number, count: number, syllables: string[]): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const n = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < n; i += 1) word += syllables[Math.floor(random() * syllables.length)];
    out.add(word);
  }
  return [...out];
}

interface Language {
  code: string;
  share: number;
  vocabulary: string[];
  sampler: ZipfSampler;
  /** Japanese, Thai: words are written without spaces. */
  joiner: string;
}

export interface SyntheticCorpus {
  broadcasters: BroadcasterRow[];
  games: GameRow[];
  /** Words by language, most frequent first (queries draw from these). */
  vocabulary: Record<string, string[]>;
  /** Clip number `index` (0-based); deterministic. */
  clip(index: number): ClipRecord;
}

export function syntheticCorpus(options: {
  seed: number;
  broadcasters: number;
  games: number;
  clippers: number;
}): SyntheticCorpus {
  const random = seededRandom(options.seed);
  const latin = 'ka ra to mi su ne po li an de ro va ze bu chi ta lo me ni sa ga ku'.split(' ');
  const cyr = 'ка ра то ми су не по ли ан де ро ва зе бу чи та ло ме ни са'.split(' ');
  const en = [...words(EN_HEAD), ...words(EMOTES), ...tail(random, 20_000, latin)];
  const languages: Language[] = [
    { code: 'en', share: 0.66, vocabulary: en, sampler: new ZipfSampler(en.length, 1.05), joiner: ' ' },
    ...[
      ['es', 0.08, ES_HEAD],
      ['pt', 0.05, PT_HEAD],
      ['de', 0.04, DE_HEAD],
      ['fr', 0.04, FR_HEAD],
    ].map(([code, share, head]) => {
      const vocabulary = [...words(head as string), ...tail(random, 3_000, latin)];
      return {
        code: code as string,
        share: share as number,
        vocabulary,
        sampler: new ZipfSampler(vocabulary.length, 1.05),
        joiner: ' ',
      };
    }),
    (() => {
      const vocabulary = [...words(RU_HEAD), ...tail(random, 3_000, cyr)];
      return {
        code: 'ru',
        share: 0.05,
        vocabulary,
        sampler: new ZipfSampler(vocabulary.length, 1.05),
        joiner: ' ',
      };
    })(),
    ...[
      ['ja', 0.04, JA_HEAD, ''],
      ['ko', 0.02, KO_HEAD, ' '],
      ['ar', 0.01, AR_HEAD, ' '],
      ['th', 0.01, TH_HEAD, ''],
    ].map(([code, share, head, joiner]) => {
      const vocabulary = words(head as string);
      return {
        code: code as string,
        share: share as number,
        vocabulary,
        sampler: new ZipfSampler(vocabulary.length, 1.0),
        joiner: joiner as string,
      };
    }),
  ];
  const emotes = words(EMOTES);

  const broadcasters: BroadcasterRow[] = Array.from({ length: options.broadcasters }, (_, i) => {
    const login = `${en[(i * 7919) % en.length]}_${tail(seededRandom(i + 1), 1, latin)[0]}${i}`
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, 'x');
    return { id: String(100_000 + i), login, displayName: login.replace(/^./, (c) => c.toUpperCase()) };
  });
  const games: GameRow[] = Array.from({ length: options.games }, (_, i) => ({
    id: String(500_000 + i),
    name: `${en[(i * 104_729) % en.length]!.replace(/^./, (c) => c.toUpperCase())} ${['Online', 'Legends', 'Simulator', 'II', 'Remastered', 'Party', 'Tactics', 'World'][i % 8]} ${i}`,
  }));
  const channelSampler = new ZipfSampler(options.broadcasters, 0.9);
  const gameSampler = new ZipfSampler(options.games, 1.1);
  const clipperSampler = new ZipfSampler(options.clippers, 0.8);
  const start = Date.UTC(2023, 10, 1);
  const span = 3 * 365 * 86_400_000;

  const shareTotal = languages.reduce((sum, l) => sum + l.share, 0);
  return {
    broadcasters,
    games,
    vocabulary: Object.fromEntries(languages.map((l) => [l.code, l.vocabulary])),
    clip(index) {
      const r = seededRandom(options.seed * 1_000_003 + index);
      let pick = r() * shareTotal;
      const language = languages.find((l) => (pick -= l.share) < 0) ?? languages[0]!;
      const length = 2 + Math.floor(r() * 6);
      const parts: string[] = [];
      for (let i = 0; i < length; i += 1) parts.push(language.vocabulary[language.sampler.sample(r)]!);
      let title = parts.join(language.joiner);
      if (r() < 0.25) title += ` ${emotes[Math.floor(r() * emotes.length)]}`;
      if (r() < 0.3) title = title.replace(/^./, (c) => c.toUpperCase());
      if (r() < 0.05) title += ' 😂';
      const channel = broadcasters[channelSampler.sample(r)]!;
      const clipper = clipperSampler.sample(r);
      // Pareto views (α ≈ 1.1): most clips have a handful of views, a few have millions.
      const views = Math.min(50_000_000, Math.floor(1 / Math.pow(1 - r() * 0.999_999, 1 / 1.1)) - 1);
      const id = `Clip${index.toString(36)}${Math.floor(r() * 1e9).toString(36)}`;
      return {
        id,
        broadcasterId: channel.id,
        creatorId: String(10_000_000 + clipper),
        creatorName: `${en[(clipper * 31) % en.length]}${clipper}`,
        videoId: r() < 0.7 ? String(2_000_000_000 + index) : null,
        gameId: r() < 0.95 ? games[gameSampler.sample(r)]!.id : null,
        language: language.code,
        title: title.slice(0, 140),
        viewCount: views,
        createdAt: new Date(start + Math.floor(r() * span)),
        thumbnailUrl: `https://clips-media-assets2.twitch.tv/${id}-preview-480x272.jpg`,
        url: `https://clips.twitch.tv/${id}`,
        embedUrl: `https://clips.twitch.tv/embed?clip=${id}`,
        durationSec: 5 + Math.floor(r() * 55),
        vodOffset: r() < 0.7 ? Math.floor(r() * 30_000) : null,
        isFeatured: r() < 0.02,
      };
    },
  };
}
