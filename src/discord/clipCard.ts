import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  type MessageActionRowComponentBuilder,
} from 'discord.js';
import type { ClipInfo } from '../clips/browse/browseClips.js';
import { encodeCustomId } from './components/customId.js';
import { encodeCustomIdFits, formatDuration, safeClipUrl } from './clipResultsEmbed.js';
import { escapeText } from './escape.js';
import type { AnswerPayload } from './respond.js';
import { texts, type Texts } from './texts.js';

/** The full card of one clip (/clips info, /clips random, a clip opened from results): embed + ⭐ + link. */
export function clipCardMessage(info: ClipInfo, t: Texts = texts()): AnswerPayload {
  const { clip } = info;
  const url = safeClipUrl(clip);
  const embed = new EmbedBuilder()
    .setTitle(escapeText(clip.title.trim() || t.results.untitled, 120))
    .setURL(url)
    .addFields(
      { name: t.card.channel, value: escapeText(info.channelName, 100), inline: true },
      ...(info.gameName ? [{ name: t.card.game, value: escapeText(info.gameName, 100), inline: true }] : []),
      { name: t.card.clipper, value: escapeText(clip.creatorName, 100), inline: true },
      { name: t.card.views, value: clip.viewCount.toLocaleString('en-US'), inline: true },
      { name: t.card.duration, value: formatDuration(clip.durationSec), inline: true },
      {
        name: t.card.created,
        value: `<t:${Math.floor(clip.createdAt.getTime() / 1000)}:f>`,
        inline: true,
      },
      ...(info.favoriteCount > 0
        ? [{ name: t.card.saved, value: t.card.members(info.favoriteCount), inline: true }]
        : []),
    );
  if (/^https:\/\//.test(clip.thumbnailUrl)) embed.setImage(clip.thumbnailUrl);
  const buttons: ButtonBuilder[] = [];
  const saveId = { command: 'clips', action: 'save', args: [clip.id] };
  if (encodeCustomIdFits(saveId)) {
    buttons.push(
      new ButtonBuilder()
        .setCustomId(encodeCustomId(saveId))
        .setEmoji('⭐')
        .setLabel(t.card.save)
        .setStyle(ButtonStyle.Primary),
    );
  }
  buttons.push(new ButtonBuilder().setURL(url).setLabel(t.card.watch).setStyle(ButtonStyle.Link));
  return {
    embeds: [embed],
    components: [new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(buttons)],
  };
}
