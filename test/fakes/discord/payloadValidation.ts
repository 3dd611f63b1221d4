// Discord's documented payload limits. Each validator throws 400 / 50035 with Discord's nested error tree.
import { DiscordHttpError, FormErrorCollector } from './DiscordHttpError.js';

type Json = Record<string, unknown>;
type Path = (string | number)[];

const CHAT_INPUT_NAME = /^[-_\p{Ll}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS_PER_TYPE = { 1: 100, 2: 15, 3: 15 } as Record<number, number>;
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;
const COMPONENTS_V2_FLAG = 1 << 15;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLength(
  errors: FormErrorCollector,
  path: Path,
  value: unknown,
  min: number,
  max: number,
  required: boolean,
): void {
  if (value === undefined || value === null) {
    if (required) errors.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return;
  }
  if (value.length < min || value.length > max) {
    if (min === 0) errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    else errors.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }
}

function checkArrayMax(errors: FormErrorCollector, path: Path, value: unknown, max: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return [];
  }
  if (value.length > max) errors.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  return value;
}

function validateChoices(errors: FormErrorCollector, path: Path, choices: unknown): void {
  checkArrayMax(errors, path, choices, 25).forEach((choice, index) => {
    if (!isObject(choice))
      return errors.add([...path, index], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used');
    checkLength(errors, [...path, index, 'name'], choice.name, 1, 100, true);
    if (choice.value === undefined)
      errors.add([...path, index, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
    if (typeof choice.value === 'string')
      checkLength(errors, [...path, index, 'value'], choice.value, 0, 100, true);
  });
}

function validateOptions(errors: FormErrorCollector, path: Path, options: unknown, depth: number): void {
  const list = checkArrayMax(errors, path, options, 25);
  const names = new Set<string>();
  let sawOptional = false;
  list.forEach((option, index) => {
    const at = [...path, index];
    if (!isObject(option)) return errors.add(at, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used');
    const type = Number(option.type);
    if (!Number.isInteger(type) || type < 1 || type > 11) {
      errors.add([...at, 'type'], 'BASE_TYPE_CHOICES', `Value must be one of {1, 2, ..., 11}.`);
    }
    if (typeof option.name !== 'string' || !CHAT_INPUT_NAME.test(option.name)) {
      errors.add([...at, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    } else if (names.has(option.name)) {
      errors.add(
        [...at, 'name'],
        'APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAMES',
        'Option names must be unique',
      );
    } else {
      names.add(option.name);
    }
    checkLength(errors, [...at, 'description'], option.description, 1, 100, true);
    if (option.choices !== undefined && option.autocomplete === true) {
      errors.add(
        [...at, 'autocomplete'],
        'AUTOCOMPLETE_CHOICES_CONFLICT',
        'Autocomplete cannot be set with choices',
      );
    }
    validateChoices(errors, [...at, 'choices'], option.choices);
    const nested = type === SUB_COMMAND || type === SUB_COMMAND_GROUP;
    if (nested) {
      const allowed = type === SUB_COMMAND_GROUP ? depth === 0 : depth <= 1;
      if (!allowed)
        errors.add([...at, 'type'], 'APPLICATION_COMMAND_OPTION_INVALID_NESTING', 'Invalid nesting');
      validateOptions(errors, [...at, 'options'], option.options, depth + 1);
      return;
    }
    if (option.required === true && sawOptional) {
      errors.add(
        [...at, 'required'],
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    }
    if (option.required !== true) sawOptional = true;
  });
}

function validateCommandInto(errors: FormErrorCollector, path: Path, command: unknown): void {
  if (!isObject(command)) return errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used');
  const type = command.type === undefined ? 1 : Number(command.type);
  if (![1, 2, 3, 4].includes(type))
    errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.');
  if (type === 1) {
    if (typeof command.name !== 'string' || !CHAT_INPUT_NAME.test(command.name)) {
      errors.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
    checkLength(errors, [...path, 'description'], command.description, 1, 100, true);
    validateOptions(errors, [...path, 'options'], command.options, 0);
  } else {
    checkLength(errors, [...path, 'name'], command.name, 1, 32, true);
    if (typeof command.description === 'string' && command.description.length > 0) {
      errors.add(
        [...path, 'description'],
        'APPLICATION_COMMAND_DESCRIPTION_INVALID',
        'Description must be empty',
      );
    }
  }
}

/** POST / PATCH of one command. */
export function validateCommand(command: unknown): void {
  const errors = new FormErrorCollector();
  validateCommandInto(errors, [], command);
  errors.throwIfAny();
}

/** PUT bulk overwrite: every command valid, names unique per type, per-type count limits. */
export function validateCommandList(commands: unknown): void {
  if (!Array.isArray(commands))
    throw DiscordHttpError.invalidFormBody({
      _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }],
    });
  const errors = new FormErrorCollector();
  const seen = new Set<string>();
  const perType = new Map<number, number>();
  commands.forEach((command, index) => {
    validateCommandInto(errors, [index], command);
    if (!isObject(command)) return;
    const type = command.type === undefined ? 1 : Number(command.type);
    const key = `${type}:${String(command.name)}`;
    if (seen.has(key)) {
      errors.add(
        [index, 'name'],
        'APPLICATION_COMMAND_ALREADY_EXISTS',
        'Application command names must be unique',
      );
    }
    seen.add(key);
    perType.set(type, (perType.get(type) ?? 0) + 1);
  });
  for (const [type, count] of perType) {
    const max = MAX_COMMANDS_PER_TYPE[type];
    if (max !== undefined && count > max) {
      errors.add(
        [],
        'APPLICATION_COMMANDS_TOO_MANY',
        `Maximum number of application commands of type ${type} reached (${max})`,
      );
    }
  }
  errors.throwIfAny();
}

function embedLength(embed: Json): number {
  const text = (value: unknown): number => (typeof value === 'string' ? value.length : 0);
  const footer = isObject(embed.footer) ? text(embed.footer.text) : 0;
  const author = isObject(embed.author) ? text(embed.author.name) : 0;
  const fields = Array.isArray(embed.fields)
    ? embed.fields.reduce<number>(
        (sum, field) => sum + (isObject(field) ? text(field.name) + text(field.value) : 0),
        0,
      )
    : 0;
  return text(embed.title) + text(embed.description) + footer + author + fields;
}

function validateEmbeds(errors: FormErrorCollector, embeds: unknown): void {
  let total = 0;
  checkArrayMax(errors, ['embeds'], embeds, 10).forEach((embed, index) => {
    const at = ['embeds', index];
    if (!isObject(embed)) return errors.add(at, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used');
    checkLength(errors, [...at, 'title'], embed.title, 0, 256, false);
    checkLength(errors, [...at, 'description'], embed.description, 0, 4096, false);
    if (isObject(embed.footer))
      checkLength(errors, [...at, 'footer', 'text'], embed.footer.text, 0, 2048, true);
    if (isObject(embed.author))
      checkLength(errors, [...at, 'author', 'name'], embed.author.name, 0, 256, true);
    checkArrayMax(errors, [...at, 'fields'], embed.fields, 25).forEach((field, fieldIndex) => {
      const fieldAt = [...at, 'fields', fieldIndex];
      if (!isObject(field)) return errors.add(fieldAt, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used');
      checkLength(errors, [...fieldAt, 'name'], field.name, 1, 256, true);
      checkLength(errors, [...fieldAt, 'value'], field.value, 1, 1024, true);
    });
    total += embedLength(embed);
  });
  if (total > 6000)
    errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function validateComponents(errors: FormErrorCollector, components: unknown, flags: number): void {
  const customIds = new Set<string>();
  const visit = (component: unknown, path: Path): void => {
    if (!isObject(component)) return errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used');
    if (component.custom_id !== undefined) {
      checkLength(errors, [...path, 'custom_id'], component.custom_id, 1, 100, true);
      const id = String(component.custom_id);
      if (customIds.has(id))
        errors.add(
          [...path, 'custom_id'],
          'COMPONENT_CUSTOM_ID_DUPLICATED',
          'Component custom id cannot be duplicated',
        );
      customIds.add(id);
    }
    if (component.type === 2) {
      checkLength(errors, [...path, 'label'], component.label, 0, 80, false);
      const isLink = component.style === 5;
      const isPremium = component.style === 6;
      if (isLink && component.url === undefined)
        errors.add([...path, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
      if (!isLink && !isPremium && component.custom_id === undefined) {
        errors.add([...path, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      }
    }
    const children = Array.isArray(component.components) ? component.components : [];
    if (component.type === 1 && (flags & COMPONENTS_V2_FLAG) === 0) {
      checkArrayMax(errors, [...path, 'components'], children, 5);
      const hasSelect = children.some(
        (child) => isObject(child) && Number(child.type) >= 3 && Number(child.type) <= 8,
      );
      if (hasSelect && children.length > 1) {
        errors.add(
          [...path, 'components'],
          'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
          'The specified component exceeds the maximum width',
        );
      }
    }
    children.forEach((child, index) => visit(child, [...path, 'components', index]));
  };
  const rows = checkArrayMax(errors, ['components'], components, (flags & COMPONENTS_V2_FLAG) === 0 ? 5 : 40);
  rows.forEach((row, index) => {
    if ((flags & COMPONENTS_V2_FLAG) === 0 && isObject(row) && row.type !== 1) {
      errors.add(
        ['components', index, 'type'],
        'UNION_TYPE_CHOICES',
        'Top-level components must be action rows',
      );
    }
    visit(row, ['components', index]);
  });
}

export interface MessageValidationOptions {
  /** Creating needs some content; an edit may send only the fields it changes. */
  requireContent: boolean;
}

/** Content, embeds, components of a message create/edit, a webhook execute, or an interaction reply. */
export function validateMessage(body: Json, { requireContent }: MessageValidationOptions): void {
  const errors = new FormErrorCollector();
  checkLength(errors, ['content'], body.content, 0, 2000, false);
  validateEmbeds(errors, body.embeds);
  const flags = Number(body.flags ?? 0);
  validateComponents(errors, body.components, flags);
  if (isObject(body.allowed_mentions)) {
    const mentions = body.allowed_mentions;
    const parse = Array.isArray(mentions.parse) ? mentions.parse : [];
    for (const kind of ['users', 'roles'] as const) {
      if (parse.includes(kind) && Array.isArray(mentions[kind])) {
        errors.add(
          ['allowed_mentions'],
          'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
          `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`,
        );
      }
      checkArrayMax(errors, ['allowed_mentions', kind], mentions[kind], 100);
    }
  }
  if (body.nonce !== undefined) {
    const nonce = body.nonce;
    if (typeof nonce === 'string' ? nonce.length > 25 : typeof nonce !== 'number') {
      errors.add(['nonce'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    }
  }
  errors.throwIfAny();
  if (!requireContent) return;
  const hasContent = typeof body.content === 'string' && body.content.length > 0;
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  const hasComponents = Array.isArray(body.components) && body.components.length > 0;
  const hasFiles = Array.isArray(body.attachments) && body.attachments.length > 0;
  const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
  if (!hasContent && !hasEmbeds && !hasComponents && !hasFiles && !hasStickers && body.poll === undefined) {
    throw DiscordHttpError.coded(400, 50006, 'Cannot send an empty message');
  }
}

/** Interaction callback type 8. */
export function validateAutocompleteResult(data: unknown): void {
  const errors = new FormErrorCollector();
  if (!isObject(data)) errors.add(['data'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else validateChoices(errors, ['data', 'choices'], data.choices);
  errors.throwIfAny();
}

/** Interaction callback type 9. */
export function validateModal(data: unknown): void {
  const errors = new FormErrorCollector();
  if (!isObject(data)) {
    errors.add(['data'], 'BASE_TYPE_REQUIRED', 'This field is required');
  } else {
    checkLength(errors, ['data', 'custom_id'], data.custom_id, 1, 100, true);
    checkLength(errors, ['data', 'title'], data.title, 1, 45, true);
    const rows = checkArrayMax(errors, ['data', 'components'], data.components, 5);
    if (rows.length === 0)
      errors.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  }
  errors.throwIfAny();
}
