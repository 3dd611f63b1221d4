// Runs one of the project's command-line scripts (tsx) to completion, as an operator would.
import { startBotProcess } from './botProcess.js';

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
