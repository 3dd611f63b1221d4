// `npm run dev:fakes`: try the bot without any credentials. Starts the fake Discord and fake Twitch (with a
// small demo world), registers the slash commands, runs the real bot against them on the embedded database,
// and lets you type commands at a prompt; each is sent to the bot as a real INTERACTION_CREATE and its
// answer printed. Ctrl+C stops everything.
//
//   /search text:clutch            /search channel:speedyrunner period:month
//   /about                         autocomplete search channel spe
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
    options[name] = /^\d+$/.test(value) && name !== 'channel' && name !== 'game' ? Number(value) : value;
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
  return lines.join('\n');
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
      '  /search channel:speedyrunner        (starts indexing its clips; a few seconds)\n' +
      '  /twitch status channel:speedyrunner\n' +
      '  /search text:speedyrunner sort:views\n' +
      '  autocomplete search channel spe\n' +
      '  /about     quit',
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
  for (;;) {
    const line = (await prompt.question('> ')).trim();
    if (line === 'quit' || line === 'exit') break;
    const words = splitWords(line);
    try {
      if (words[0] === 'autocomplete' && words[1] && words[2]) {
        const handle = discord.interact.autocomplete({
          name: words[1],
          options: { [words[2]]: words.slice(3).join(' ') },
          focused: words[2],
        });
        const choices = await handle.autocompleteChoices();
        console.log(choices.map((choice) => `${String(choice.name)}  →  ${String(choice.value)}`).join('\n'));
      } else if (words[0]?.startsWith('/')) {
        // `/twitch status channel:x`: a bare word after the name is the subcommand.
        const subcommand = words[1] !== undefined && !words[1].includes(':') ? words[1] : undefined;
        const handle = discord.interact.slashCommand({
          name: words[0].slice(1),
          ...(subcommand ? { subcommand } : {}),
          options: parseOptions(words.slice(subcommand ? 2 : 1)),
        });
        console.log(renderMessage(await handle.finalMessage()));
      } else if (line !== '') {
        console.log(
          'commands: /<name> [subcommand] option:value …, autocomplete <command> <option> <text>, quit',
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
