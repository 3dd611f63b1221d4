// A small reader for the Dockerfile instructions the packaging tests check. Not a full parser: it joins
// backslash continuations, drops comments and splits each instruction into its keyword and arguments.

export interface DockerInstruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** The stage (0-based, counted by FROM) the instruction belongs to. */
  stage: number;
}

export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  let stage = -1;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    if (full === '') continue;
    const match = /^(\S+)\s*(.*)$/s.exec(full)!;
    const keyword = match[1]!.toUpperCase();
    if (keyword === 'FROM') stage += 1;
    instructions.push({ keyword, args: match[2]!, stage });
  }
  return instructions;
}

/** The argv of an exec-form (JSON array) CMD/ENTRYPOINT/HEALTHCHECK CMD, or null for shell form. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) return null;
  return parsed as string[];
}

/** Splits a RUN line's shell command into its `&&`-chained commands. */
export function chainedCommands(args: string): string[] {
  return args
    .split('&&')
    .map((part) => part.trim().replace(/\s+/g, ' '))
    .filter((part) => part !== '');
}
