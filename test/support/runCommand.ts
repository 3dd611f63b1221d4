// Runs one of the project's command-line scripts (tsx) to completion, as an operator would.
import { startBotProcess } from './botProcess.js';

/**
 * Timeout for tests that run the real commands (tsx child processes) or open PGlite databases: seconds of CPU
 * each, which a machine shared with other work can stretch well past vitest's 30 s default.
 */
export const PROCESS_TEST_TIMEOUT_MS = 120_000;

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runScript(
  script: string,
  options: { env: Record<string, string>; args?: string[]; cwd?: string },
): Promise<CommandRun> {
  const child = startBotProcess({
    script,
    env: options.env,
    args: options.args ?? [],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const { code } = await child.exited();
  const stdout = child.logs
    .map((line) => (line.level === 'stdout' ? String(line.msg) : JSON.stringify(line)))
    .join('\n');
  return { code, stdout, stderr: child.stderr() };
}
