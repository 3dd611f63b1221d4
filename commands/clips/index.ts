import { turnClipListPage } from '../../src/discord/clipList.js';
import { commandWithSubcommands } from '../../src/discord/defineCommand.js';
import { open, save } from './components.js';
import { info } from './info.js';
import { random } from './random.js';
import { recent } from './recent.js';
import { search } from './search.js';
import { stats } from './stats.js';
import { top } from './top.js';

/**
 * /clips: finding clips. One file per sub-command; add one by writing its file and listing it here.
 * Components: `page` (◀ ▶ of a results list, invoker only), `open` (select menu: a private card of one
 * clip, anyone) and `save` (⭐: the presser's favourites, anyone).
 */
export const clips = commandWithSubcommands({
  name: 'clips',
  description: 'Find Twitch clips: search titles, top, newest, random, one clip, or a channel’s stats',
  subcommands: [search, top, recent, random, info, stats],
  components: { page: turnClipListPage, open, save },
});
