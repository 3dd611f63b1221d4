// `npm run dev:fakes`: try the bot without any credentials. Starts the fake Discord and fake Twitch (with a
// small demo world), registers the slash commands, runs the real bot against them on the embedded database,
// and lets you type commands at a prompt; each is sent to the bot as a real INTERACTION_CREATE and its
// answer printed. Ctrl+C stops everything.
//
//   /clips search text:clutch      /clips top channel:speedyrunner period:month
//   next | prev | open 3 | save    autocomplete clips search channel spe
//   /favorites list                /help
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { startBotProcess } from '../support/botProcess.js';
import { botEnvForFakes } from './botEnv.js';
import { startFakeDiscord } from './discord/index.js';
import { seedDemoData, startFakeTwitch } from './twitch/index.js';

type OptionValues = Record<string, string | number | boolean>;

function parseOptions(words: string[]): OptionValues {
  const options: OptionValues = {};
  for (const word of words) {
    const [name, ...rest] = word.split(':');
    const value = rest.join(':');
    if (!name || value === '') continue;
    options[name] =
      /^\d+$/.test(value) && !['channel', 'game', 'clipper', 'clip', 'text'].includes(name)
        ? Number(value)
        : value;
  }
  return options;
}

/** A bot answer as a person would read it in Discord: content, then each embed's title, text and footer. */
function renderMessage(message: Record<string, unknown>): string {
  const lines: string[] = [];
  if (typeof message.content === 'string' && message.content !== '') lines.push(message.content);
  for (const embed of (message.embeds ?? []) as Array<Record<string, unknown>>) {
    if (embed.title) lines.push(`== ${String(embed.title)} ==`);
    if (embed.description) lines.push(String(embed.description));
    for (const field of (embed.fields ?? []) as Array<{ name: string; value: string }>) {
      lines.push(`${field.name}: ${field.value}`);
    }
    const footer = embed.footer as { text?: string } | undefined;
    if (footer?.text) lines.push(`(${footer.text})`);
  }
  const controls = componentsOf(message).flatMap((component) =>
    component.type === 3
      ? [`[select: ${String(component.placeholder ?? '')}]`]
      : [
          `[${component.disabled ? '-' : ''}${[component.emoji?.name, component.label].filter(Boolean).join(' ')}]`,
        ],
  );
  if (controls.length > 0) lines.push(controls.join(' '));
  if ((Number(message.flags ?? 0) & 64) !== 0) lines.push('(only you can see this)');
  return lines.join('\n');
}

interface ComponentJson {
  type: number;
  custom_id?: string;
  label?: string;
  disabled?: boolean;
  placeholder?: string;
  emoji?: { name?: string };
  options?: Array<{ value: string }>;
}

function componentsOf(message: Record<string, unknown>): ComponentJson[] {
  return ((message.components ?? []) as Array<{ components: ComponentJson[] }>).flatMap(
    (row) => row.components,
  );
}

/** The component of the last answer whose custom_id names this action (`v1:<command>:<action>:…`). */
function componentFor(message: Record<string, unknown> | undefined, action: string, index = 0) {
  if (!message) return undefined;
  return componentsOf(message).filter((component) => component.custom_id?.split(':')[2] === action)[index];
}

/** Splits `a b:"c d"` into `['a', 'b:c d']`. */
function splitWords(line: string): string[] {
  return [...line.matchAll(/(\S+?:"[^"]*"|\S+)/g)].map((match) => match[0].replace(/:"(.*)"$/, ':$1'));
}

async function main(): Promise<void> {
  const discord = await startFakeDiscord();
  const twitch = await startFakeTwitch();
  const seed = seedDemoData(twitch);
  const dataDir = process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'tcs-dev-'));
  const env = botEnvForFakes(discord, twitch, {
    DATA_DIR: dataDir,
    ADMIN_PORT: process.env.ADMIN_PORT ?? '8080',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  console.log(`fake Discord at ${discord.restUrl}, fake Twitch on port ${twitch.port}`);
  console.log(
    `demo world: ${seed.broadcasterIds.length} channels, ${seed.clipCount} clips; data in ${dataDir}`,
  );

  const deploy = startBotProcess({ env, script: 'deploy-commands.ts' });
  const deployed = await deploy.exited();
  if (deployed.code !== 0) throw new Error(`deploy-commands failed:\n${deploy.stderr()}`);
  console.log(deploy.logs.map((line) => line.msg).join('\n'));

  const bot = startBotProcess({ env });
  // The bot's own JSON log goes to a file (it would drown the prompt); SHOW_BOT_LOGS=1 also prints it.
  const botLog = createWriteStream(join(dataDir, 'bot.log'));
  bot.child.stdout!.on('data', (chunk: Buffer) => {
    botLog.write(chunk);
    if (process.env.SHOW_BOT_LOGS) process.stdout.write(chunk);
  });
  bot.child.stderr!.pipe(process.stderr);
  await bot.waitForLog((line) => line.msg === 'discord gateway ready', 120_000);
  console.log(
    `bot ready; admin: http://127.0.0.1:${env.ADMIN_PORT}/readyz; bot log: ${join(dataDir, 'bot.log')}`,
  );
  console.log(
    'Nothing is indexed until someone searches a channel. Try:\n' +
      '  /clips recent channel:speedyrunner  (starts indexing its clips; a few seconds)\n' +
      '  /twitch status channel:speedyrunner\n' +
      '  /clips search text:speedyrunner sort:views     then: next, prev, open 3, save\n' +
      '  /favorites list\n' +
      '  autocomplete clips search channel spe\n' +
      '  /help     quit',
  );

  const stopAll = async (): Promise<void> => {
    const { code } = await bot.stop('SIGTERM');
    await Promise.all([discord.close(), twitch.close()]);
    console.log(`bot exited with code ${code}`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stopAll());

  if (!process.stdin.isTTY) {
    console.log('stdin is not a terminal: running until Ctrl+C');
    return;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  // The last answer that has buttons: next / prev / open N / save press them.
  let lastWithComponents: Record<string, unknown> | undefined;
  const show = (message: Record<string, unknown>) => {
    console.log(renderMessage(message));
    if (componentsOf(message).length > 0 && (Number(message.flags ?? 0) & 64) === 0)
      lastWithComponents = message;
    else if (componentsOf(message).length > 0 && componentFor(message, 'page')) lastWithComponents = message;
  };
  for (;;) {
    const line = (await prompt.question('> ')).trim();
    if (line === 'quit' || line === 'exit') break;
    const words = splitWords(line);
    try {
      if (words[0] === 'next' || words[0] === 'prev' || words[0] === 'save' || words[0] === 'open') {
        const component =
          words[0] === 'open'
            ? componentFor(lastWithComponents, 'open')
            : componentFor(
                lastWithComponents,
                words[0] === 'save' ? 'save' : 'page',
                words[0] === 'next' ? 1 : 0,
              );
        if (!component?.custom_id || !lastWithComponents) {
          console.log('no results with that button yet');
          continue;
        }
        const value = component.options?.[Number(words[1] ?? '1') - 1]?.value;
        const handle = discord.interact.component({
          user: discord.fixtures.owner,
          customId: component.custom_id,
          message: lastWithComponents,
          ...(words[0] === 'open' ? { componentType: 3, values: value ? [value] : [] } : {}),
        });
        show(await handle.finalMessage());
      } else if (words[0] === 'autocomplete' && words[1] && words[2]) {
        // `autocomplete clips search channel spe`: a sub-command may sit between command and option.
        const hasSub = words[3] !== undefined && !['channel', 'game', 'clipper', 'clip'].includes(words[2]);
        const option = hasSub ? words[3]! : words[2];
        const handle = discord.interact.autocomplete({
          user: discord.fixtures.owner,
          name: words[1],
          ...(hasSub ? { subcommand: words[2] } : {}),
          options: { [option]: words.slice(hasSub ? 4 : 3).join(' ') },
          focused: option,
        });
        const choices = await handle.autocompleteChoices();
        console.log(choices.map((choice) => `${String(choice.name)}  →  ${String(choice.value)}`).join('\n'));
      } else if (words[0]?.startsWith('/')) {
        // `/twitch status channel:x`: a bare word after the name is the subcommand.
        const subcommand = words[1] !== undefined && !words[1].includes(':') ? words[1] : undefined;
        const handle = discord.interact.slashCommand({
          // As the server's owner: whoever tries the bot here is its admin, so /subscriptions and /settings work.
          user: discord.fixtures.owner,
          name: words[0].slice(1),
          ...(subcommand ? { subcommand } : {}),
          options: parseOptions(words.slice(subcommand ? 2 : 1)),
        });
        show(await handle.finalMessage());
      } else if (line !== '') {
        console.log(
          'commands: /<name> [subcommand] option:value …, next, prev, open <n>, save, ' +
            'autocomplete <command> [subcommand] <option> <text>, quit',
        );
      }
    } catch (error) {
      console.log(`no answer: ${(error as Error).message}`);
    }
  }
  prompt.close();
  await stopAll();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
