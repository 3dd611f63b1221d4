import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

export interface CommandDiff {
  added: string[];
  changed: Array<{ name: string; fields: string[] }>;
  removed: string[];
  unchanged: string[];
}

/**
 * What a bulk overwrite will change, comparing our payloads with what Discord has registered. Discord fills
 * in defaults and ids the payload does not carry, so only the fields we send are compared, after dropping
 * values equal to Discord's defaults on both sides.
 */
export function diffCommands(registered: readonly Json[], wanted: readonly Json[]): CommandDiff {
  const before = new Map(registered.map((command) => [String(command.name), command]));
  const diff: CommandDiff = { added: [], changed: [], removed: [], unchanged: [] };
  for (const command of wanted) {
    const name = String(command.name);
    const current = before.get(name);
    before.delete(name);
    if (current === undefined) {
      diff.added.push(name);
      continue;
    }
    const fields = Object.keys(command).filter(
      (field) =>
        !isDeepStrictEqual(
          isDefault(command[field]) ? undefined : normalise(command[field]),
          isDefault(current[field]) ? undefined : normalise(current[field]),
        ),
    );
    if (fields.length > 0) diff.changed.push({ name, fields });
    else diff.unchanged.push(name);
  }
  diff.removed.push(...before.keys());
  return diff;
}

export function describeCommandDiff(diff: CommandDiff): string[] {
  return [
    ...diff.added.map((name) => `+ /${name} (new)`),
    ...diff.changed.map(({ name, fields }) => `~ /${name} (changed: ${fields.join(', ')})`),
    ...diff.removed.map((name) => `- /${name} (removed)`),
    ...(diff.added.length + diff.changed.length + diff.removed.length === 0 ? ['no changes'] : []),
  ];
}

/** Drops what Discord adds or defaults (empty lists, false flags, null, localizations) so equal means equal. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value as Json).sort(([a], [b]) => a.localeCompare(b))) {
    if (isDefault(inner)) continue;
    if (key.endsWith('_localizations') || key === 'id' || key === 'version' || key === 'application_id')
      continue;
    out[key] = normalise(inner);
  }
  return out;
}

function isDefault(value: unknown): boolean {
  return (
    value === null || value === undefined || value === false || (Array.isArray(value) && value.length === 0)
  );
}
