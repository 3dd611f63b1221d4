// Runs the real bot (src/main.ts) as a child process, the way an operator does, and reads its JSON logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** tsx's loader by absolute URL, so the child may run in any working directory. */
const TSX_LOADER = pathToFileURL(`${PROJECT_ROOT}/node_modules/tsx/dist/loader.mjs`).href;

/**
 * The argv of `npm run start:prod` from package.json (what `npm start` and the Docker image run, node flags
 * included), with this node binary and the script resolved from the project root, so a child runs exactly
 * the production command from any working directory. `extraNodeFlags` go before the script (comparisons,
 * profiling).
 */
export function startProdCommand(extraNodeFlags: readonly string[] = []): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = scripts['start:prod']!.split(' ');
  if (node !== 'node') throw new Error(`start:prod must start with node: ${scripts['start:prod']}`);
  const flags = args.filter((arg) => arg.startsWith('-'));
  const rest = args.filter((arg) => !arg.startsWith('-')).map((arg) => path.resolve(PROJECT_ROOT, arg));
  return [process.execPath, ...flags, ...extraNodeFlags, ...rest];
}

export interface LogLine {
  level: string | number;
  msg?: string;
  [key: string]: unknown;
}

export interface BotProcess {
  readonly child: ChildProcess;
  /** Every JSON log line so far (non-JSON stdout lines are kept as `{ level: "stdout", msg: line }`). */
  readonly logs: LogLine[];
  /** Everything written to stderr. */
  readonly stderr: () => string;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code (or signal name) and how long the exit took after `signal` was sent. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `tsx <script>` (or `command`) with exactly `env` (plus PATH/HOME), so a test controls the whole
 * configuration and nothing leaks in from the developer's shell or a local .env (cwd is a scratch directory
 * when given).
 */
export function startBotProcess(options: {
  env: Record<string, string>;
  script?: string;
  args?: string[];
  cwd?: string;
  /** Runs this argv instead of `tsx <script> <args>` (e.g. the compiled build: `node dist/src/main.js`). */
  command?: string[];
  /** Flags for node itself (e.g. `--cpu-prof`, which NODE_OPTIONS refuses), before the script. */
  nodeFlags?: string[];
}): BotProcess {
  const script = options.script ?? 'src/main.ts';
  const [file, ...argv] = options.command ?? [
    process.execPath,
    ...(options.nodeFlags ?? []),
    '--import',
    TSX_LOADER,
    `${PROJECT_ROOT}/${script}`,
    ...(options.args ?? []),
  ];
  const child = spawn(file!, argv, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));

  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { level: 'stdout', msg: text };
    }
    logs.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });

  return {
    child,
    logs,
    stderr: () => stderr,
    exited: () => exit,
    waitForLog(predicate, timeoutMs = 30_000) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `bot did not log the expected line within ${timeoutMs} ms.\n` +
                `last logs:\n${logs
                  .slice(-15)
                  .map((l) => JSON.stringify(l))
                  .join('\n')}\nstderr:\n${stderr.slice(-2_000)}`,
            ),
          );
        }, timeoutMs);
        waiters.push(waiter);
        void exit.then(({ code, signal }) => {
          if (!waiters.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          clearTimeout(timer);
          reject(
            new Error(
              `bot exited (code ${code}, signal ${signal}) before logging the expected line.\nstderr:\n${stderr.slice(-2_000)}\nlast logs:\n${logs
                .slice(-15)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exit;
      return { ...result, ms: Date.now() - started };
    },
  };
}
