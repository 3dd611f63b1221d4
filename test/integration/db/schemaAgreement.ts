// Compares what prisma/schema.prisma declares with what the migrations actually built, without Prisma's
// schema engine (unavailable here). The expected side comes from Prisma's own parse of the schema (its DMMF,
// obtained through a throwaway generator), the actual side from pg_catalog. See docs/database.md.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from '../../../src/db/Database.js';

/**
 * Indexes Prisma cannot express (GIN, expression, partial, operator-class indexes for search) are created
 * in raw SQL. They are exempt from matching the schema when their name says so, and must then be created
 * by some migration.
 */
export const RAW_SQL_INDEX_NAME = /_(search|trgm)_idx$/;

// ---------------------------------------------------------------------------------------------------------
// Shapes both sides are reduced to.

export interface ColumnShape {
  /** As PostgreSQL's format_type prints it, e.g. `timestamp(3) with time zone`, `text[]`. */
  type: string;
  notNull: boolean;
  /** undefined: has no default. Otherwise the default normalised for comparison (see normaliseDefault). */
  default: string | undefined;
}

export interface IndexShape {
  unique: boolean;
  method: string;
  /** Column names with ` DESC` for descending keys; expressions as PostgreSQL prints them. */
  keys: string[];
  /** Partial-index predicate, if any. */
  predicate?: string;
}

export interface ForeignKeyShape {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: { name: string; columns: string[] } | undefined;
  indexes: Record<string, IndexShape>;
  foreignKeys: Record<string, ForeignKeyShape>;
}

export interface SchemaShape {
  tables: Record<string, TableShape>;
  enums: Record<string, string[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Expected side: Prisma's DMMF.

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
  relationName?: string;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  dbName?: string | null;
  algorithm?: string;
  fields: { name: string; sortOrder?: 'asc' | 'desc'; operatorClass?: string }[];
}

export interface PrismaDatamodel {
  enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
  /** Unsupported(...) fields, which the DMMF leaves out: model name -> fields. */
  unsupported: Record<string, { column: string; type: string; notNull: boolean; hasDefault: boolean }[]>;
}

const require = createRequire(import.meta.url);
const GENERATOR = fileURLToPath(new URL('./dmmfDumpGenerator.mjs', import.meta.url));

/** Prisma's own parse of a schema file (about a second: it runs `prisma generate` with a dump generator). */
export async function loadPrismaDatamodel(schemaPath: string): Promise<PrismaDatamodel> {
  const source = await readFile(schemaPath, 'utf8');
  const dir = await mkdtemp(path.join(tmpdir(), 'tcs-dmmf-'));
  try {
    const schemaCopy = path.join(dir, 'schema.prisma');
    const out = path.join(dir, 'dmmf.json');
    const generator = `generator dmmf {\n  provider = "node ${GENERATOR}"\n  output   = "${path.join(dir, 'out')}"\n}`;
    await writeFile(schemaCopy, source.replace(/^generator\s+\w+\s*\{[^}]*\}/gm, generator));
    await runPrismaGenerate({ schemaPath: schemaCopy, out });
    const datamodel = JSON.parse(await readFile(out, 'utf8')) as Omit<PrismaDatamodel, 'unsupported'>;
    return { ...datamodel, unsupported: parseUnsupportedFields(source) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runPrismaGenerate(options: { schemaPath: string; out: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [require.resolve('prisma/build/index.js'), 'generate', '--schema', options.schemaPath],
      {
        env: {
          ...process.env,
          DMMF_OUT: options.out,
          // generate checks that a schema engine exists but never runs it (see scripts/prisma-generate.mjs).
          PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`prisma generate (DMMF dump) failed:\n${output}`)),
    );
  });
}

/** `name Unsupported("type")? @map("column") @default(...)` lines, per model (the DMMF omits them). */
export function parseUnsupportedFields(source: string): PrismaDatamodel['unsupported'] {
  const result: PrismaDatamodel['unsupported'] = {};
  for (const model of source.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    for (const field of model[2]!.matchAll(/^\s*(\w+)\s+Unsupported\("([^"]+)"\)(\?)?([^\n]*)$/gm)) {
      const attributes = field[4]!.replace(/\/\/.*$/, '');
      const column = /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? field[1]!;
      (result[model[1]!] ??= []).push({
        column,
        type: field[2]!,
        notNull: field[3] !== '?',
        hasDefault: attributes.includes('@default('),
      });
    }
  }
  return result;
}

/** Prisma's scalar types on PostgreSQL, as format_type prints them, with and without a native type. */
function columnType(field: DmmfField, enums: PrismaDatamodel['enums']): string {
  let base: string;
  if (field.kind === 'enum') {
    const declared = enums.find((candidate) => candidate.name === field.type);
    base = quoteIdentifierIfNeeded(declared?.dbName ?? field.type);
  } else if (field.nativeType) {
    const [name, args] = field.nativeType;
    base = nativeTypeName(name, args);
  } else {
    const defaults: Record<string, string> = {
      String: 'text',
      Int: 'integer',
      BigInt: 'bigint',
      Float: 'double precision',
      Decimal: 'numeric(65,30)',
      Boolean: 'boolean',
      DateTime: 'timestamp(3) without time zone',
      Json: 'jsonb',
      Bytes: 'bytea',
    };
    const mapped = defaults[field.type];
    if (!mapped) throw new Error(`schemaAgreement: no PostgreSQL mapping for Prisma type ${field.type}`);
    base = mapped;
  }
  return field.isList ? `${base}[]` : base;
}

function nativeTypeName(name: string, args: string[]): string {
  const withArgs = (type: string) => (args.length > 0 ? `${type}(${args.join(',')})` : type);
  switch (name) {
    case 'Text':
      return 'text';
    case 'Uuid':
      return 'uuid';
    case 'VarChar':
      return withArgs('character varying');
    case 'Char':
      return withArgs('character');
    case 'Integer':
      return 'integer';
    case 'SmallInt':
      return 'smallint';
    case 'BigInt':
      return 'bigint';
    case 'Real':
      return 'real';
    case 'DoublePrecision':
      return 'double precision';
    case 'Decimal':
      return withArgs('numeric');
    case 'Boolean':
      return 'boolean';
    case 'Timestamptz':
      return `timestamp(${args[0] ?? '6'}) with time zone`;
    case 'Timestamp':
      return `timestamp(${args[0] ?? '6'}) without time zone`;
    case 'Date':
      return 'date';
    case 'Time':
      return `time(${args[0] ?? '6'}) without time zone`;
    case 'JsonB':
      return 'jsonb';
    case 'Json':
      return 'json';
    case 'ByteA':
      return 'bytea';
    case 'Inet':
      return 'inet';
    case 'Citext':
      return 'citext';
    default:
      return withArgs(name.toLowerCase());
  }
}

function quoteIdentifierIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** What the column default should look like in pg_get_expr, normalised; undefined when there is none. */
function expectedDefault(field: DmmfField): string | undefined {
  if (!field.hasDefaultValue) return undefined;
  const value = field.default;
  if (typeof value === 'object' && value !== null && 'name' in value) {
    const fn = value as { name: string; args: unknown[] };
    switch (fn.name) {
      case 'now':
        return 'CURRENT_TIMESTAMP';
      case 'autoincrement':
        return 'nextval(...)';
      case 'dbgenerated':
        return fn.args.length > 0 ? normaliseDefault(String(fn.args[0])) : '(dbgenerated)';
      default:
        // uuid(), cuid(), nanoid(), ulid() are generated by the client: no database default.
        return undefined;
    }
  }
  if (Array.isArray(value)) return normaliseDefault(`ARRAY[${value.map((v) => literal(v)).join(', ')}]`);
  return normaliseDefault(literal(value));
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value.replace(/'/g, "''")}'` : String(value);
}

/** Drops casts and redundant parentheses so `'pending'::text` equals `'pending'`. */
export function normaliseDefault(expression: string): string {
  if (/^nextval\(/.test(expression)) return 'nextval(...)';
  let result = expression.trim();
  let previous: string;
  do {
    previous = result;
    result = result
      .replace(/::(?:"[^"]+"|[a-z_][a-z0-9_ ]*)(?:\(\d+(?:,\d+)?\))?(?:\[\])?$/i, '')
      .replace(/^\((.*)\)$/s, '$1')
      .trim();
  } while (result !== previous);
  if (result === 'now()') return 'CURRENT_TIMESTAMP';
  return result;
}

/**
 * Prisma's default constraint and index names. Names longer than PostgreSQL's 63 bytes are truncated
 * before the suffix, as Prisma does.
 */
function defaultName(table: string, columns: string[], suffix: 'pkey' | 'key' | 'idx' | 'fkey'): string {
  const stem = suffix === 'pkey' ? table : `${table}_${columns.join('_')}`;
  const maxStem = 63 - suffix.length - 1;
  return `${stem.slice(0, maxStem)}_${suffix}`;
}

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

export function expectedSchema(datamodel: PrismaDatamodel): SchemaShape {
  const tables: Record<string, TableShape> = {};
  const tableOf = new Map(datamodel.models.map((model) => [model.name, model.dbName ?? model.name]));
  const columnOf = (modelName: string, fieldName: string): string => {
    const model = datamodel.models.find((candidate) => candidate.name === modelName)!;
    const field = model.fields.find((candidate) => candidate.name === fieldName)!;
    return field.dbName ?? field.name;
  };

  for (const model of datamodel.models) {
    const table = tableOf.get(model.name)!;
    const shape: TableShape = { columns: {}, primaryKey: undefined, indexes: {}, foreignKeys: {} };
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      shape.columns[field.dbName ?? field.name] = {
        type: columnType(field, datamodel.enums),
        // Prisma creates list columns without NOT NULL.
        notNull: field.isRequired && !field.isList,
        default: expectedDefault(field),
      };
    }
    for (const field of datamodel.unsupported[model.name] ?? []) {
      shape.columns[field.column] = {
        type: field.type,
        notNull: field.notNull,
        default: field.hasDefault ? '(unsupported default)' : undefined,
      };
    }
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationFromFields || field.relationFromFields.length === 0)
        continue;
      const columns = field.relationFromFields.map((name) => columnOf(model.name, name));
      const referencedTable = tableOf.get(field.type)!;
      const optional = field.relationFromFields.some(
        (name) => !model.fields.find((candidate) => candidate.name === name)!.isRequired,
      );
      shape.foreignKeys[defaultName(table, columns, 'fkey')] = {
        columns,
        referencedTable,
        referencedColumns: (field.relationToFields ?? []).map((name) => columnOf(field.type, name)),
        onDelete: REFERENTIAL_ACTIONS[field.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict')]!,
        onUpdate: REFERENTIAL_ACTIONS[field.relationOnUpdate ?? 'Cascade']!,
      };
    }
    tables[table] = shape;
  }

  for (const index of datamodel.indexes) {
    const table = tableOf.get(index.model)!;
    const columns = index.fields.map((field) => columnOf(index.model, field.name));
    if (index.type === 'id') {
      tables[table]!.primaryKey = { name: index.dbName ?? defaultName(table, columns, 'pkey'), columns };
      continue;
    }
    if (index.type === 'fulltext')
      throw new Error('schemaAgreement: fulltext indexes do not exist on PostgreSQL');
    const unique = index.type === 'unique';
    tables[table]!.indexes[index.dbName ?? defaultName(table, columns, unique ? 'key' : 'idx')] = {
      unique,
      method: (index.algorithm ?? 'BTree').toLowerCase(),
      keys: index.fields.map((field, i) => (field.sortOrder === 'desc' ? `${columns[i]} DESC` : columns[i]!)),
    };
  }

  const enums: Record<string, string[]> = {};
  for (const declared of datamodel.enums) {
    enums[declared.dbName ?? declared.name] = declared.values.map((value) => value.dbName ?? value.name);
  }
  return { tables, enums };
}

// ---------------------------------------------------------------------------------------------------------
// Actual side: pg_catalog of the connected database, schema `public`.

export async function readActualSchema(sql: SqlExecutor): Promise<SchemaShape> {
  const tables: Record<string, TableShape> = {};
  const tableRows = await sql.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'`,
  );
  for (const { table } of tableRows) {
    tables[table] = { columns: {}, primaryKey: undefined, indexes: {}, foreignKeys: {} };
  }

  const columns = await sql.query<{
    table: string;
    column: string;
    type: string;
    not_null: boolean;
    default_expr: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null,
            CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_expr
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  for (const column of columns) {
    const table = tables[column.table];
    if (!table) continue;
    table.columns[column.column] = {
      type: column.type,
      notNull: column.not_null,
      default: column.default_expr === null ? undefined : normaliseDefault(column.default_expr),
    };
  }

  const constraints = await sql.query<{
    table: string;
    name: string;
    kind: string;
    columns: string[];
    referenced_table: string | null;
    referenced_columns: string[] | null;
    on_delete: string;
    on_update: string;
  }>(
    `SELECT c.relname AS table, k.conname AS name, k.contype AS kind,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.ord) AS columns,
            r.relname AS referenced_table,
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.ord)
              AS referenced_columns,
            k.confdeltype AS on_delete, k.confupdtype AS on_update
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class r ON r.oid = k.confrelid
      WHERE n.nspname = 'public' AND k.contype IN ('p', 'f')`,
  );
  const action: Record<string, string> = {
    a: 'NO ACTION',
    r: 'RESTRICT',
    c: 'CASCADE',
    n: 'SET NULL',
    d: 'SET DEFAULT',
  };
  for (const constraint of constraints) {
    const table = tables[constraint.table];
    if (!table) continue;
    if (constraint.kind === 'p') {
      table.primaryKey = { name: constraint.name, columns: constraint.columns };
    } else {
      table.foreignKeys[constraint.name] = {
        columns: constraint.columns,
        referencedTable: constraint.referenced_table!,
        referencedColumns: constraint.referenced_columns ?? [],
        onDelete: action[constraint.on_delete]!,
        onUpdate: action[constraint.on_update]!,
      };
    }
  }

  const indexes = await sql.query<{
    table: string;
    name: string;
    unique: boolean;
    method: string;
    keys: string[];
    predicate: string | null;
  }>(
    `SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, am.amname AS method,
            ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)
                         || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                    FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k) AS keys,
            pg_get_expr(x.indpred, x.indrelid) AS predicate
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = 'public' AND NOT x.indisprimary`,
  );
  for (const index of indexes) {
    const table = tables[index.table];
    if (!table) continue;
    table.indexes[index.name] = {
      unique: index.unique,
      method: index.method,
      // pg_get_indexdef quotes names only when needed; Prisma's snake_case columns never need it.
      keys: index.keys,
      ...(index.predicate === null ? {} : { predicate: index.predicate }),
    };
  }

  const enumRows = await sql.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
                                     ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype = 'e'`,
  );
  const enums: Record<string, string[]> = {};
  for (const row of enumRows) enums[row.name] = row.labels;
  return { tables, enums };
}

// ---------------------------------------------------------------------------------------------------------
// Comparison.

/**
 * Every disagreement, one readable line each; empty when schema and database agree. Raw-SQL-only indexes
 * (RAW_SQL_INDEX_NAME) are accepted in the database when `migrationsSql` (all migration files) creates them.
 */
export function compareSchemas(options: {
  expected: SchemaShape;
  actual: SchemaShape;
  migrationsSql: string;
}): string[] {
  const { expected, actual } = options;
  const problems: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);

  for (const name of union(Object.keys(expected.tables), Object.keys(actual.tables))) {
    const want = expected.tables[name];
    const have = actual.tables[name];
    if (!have) {
      problems.push(`table ${name}: in schema.prisma but no migration creates it`);
      continue;
    }
    if (!want) {
      problems.push(`table ${name}: created by a migration but has no model in schema.prisma`);
      continue;
    }

    for (const column of union(Object.keys(want.columns), Object.keys(have.columns))) {
      const w = want.columns[column];
      const h = have.columns[column];
      if (!h) problems.push(`column ${name}.${column}: in schema.prisma but not in the database`);
      else if (!w) problems.push(`column ${name}.${column}: in the database but not in schema.prisma`);
      else {
        if (w.type !== h.type)
          problems.push(`column ${name}.${column}: type ${show(h.type)}, schema says ${show(w.type)}`);
        if (w.notNull !== h.notNull) {
          problems.push(
            `column ${name}.${column}: ${h.notNull ? 'NOT NULL' : 'nullable'}, schema says ${w.notNull ? 'required' : 'optional'}`,
          );
        }
        if ((w.default === undefined) !== (h.default === undefined)) {
          problems.push(
            `column ${name}.${column}: ${h.default === undefined ? 'has no default' : `has default ${h.default}`}, ` +
              `schema says ${w.default === undefined ? 'no default' : `default ${w.default}`}`,
          );
        } else if (
          w.default !== undefined &&
          h.default !== undefined &&
          !w.default.startsWith('(') &&
          w.default !== h.default
        ) {
          problems.push(`column ${name}.${column}: default ${h.default}, schema says default ${w.default}`);
        }
      }
    }

    if (show(want.primaryKey) !== show(have.primaryKey)) {
      problems.push(
        `table ${name}: primary key ${show(have.primaryKey)}, schema says ${show(want.primaryKey)}`,
      );
    }

    for (const index of union(Object.keys(want.indexes), Object.keys(have.indexes))) {
      const w = want.indexes[index];
      const h = have.indexes[index];
      if (!h) problems.push(`index ${index} on ${name}: in schema.prisma but not in the database`);
      else if (!w) {
        if (!RAW_SQL_INDEX_NAME.test(index)) {
          problems.push(
            `index ${index} on ${name}: in the database but not in schema.prisma (declare it with @@index/@@unique, ` +
              `or, if Prisma cannot express it, name it *_search_idx or *_trgm_idx)`,
          );
        } else if (!createsIndex(options.migrationsSql, index)) {
          problems.push(`index ${index} on ${name}: raw-SQL index that no migration file creates`);
        }
      } else if (show(w) !== show(h)) {
        problems.push(`index ${index} on ${name}: ${show(h)}, schema says ${show(w)}`);
      }
    }

    for (const fk of union(Object.keys(want.foreignKeys), Object.keys(have.foreignKeys))) {
      const w = want.foreignKeys[fk];
      const h = have.foreignKeys[fk];
      if (!h) problems.push(`foreign key ${fk} on ${name}: in schema.prisma but not in the database`);
      else if (!w) problems.push(`foreign key ${fk} on ${name}: in the database but not in schema.prisma`);
      else if (show(w) !== show(h))
        problems.push(`foreign key ${fk} on ${name}: ${show(h)}, schema says ${show(w)}`);
    }
  }

  for (const name of union(Object.keys(expected.enums), Object.keys(actual.enums))) {
    if (show(expected.enums[name]) !== show(actual.enums[name])) {
      problems.push(`enum ${name}: ${show(actual.enums[name])}, schema says ${show(expected.enums[name])}`);
    }
  }
  return problems;
}

function createsIndex(migrationsSql: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(CONCURRENTLY\\s+)?(IF\\s+NOT\\s+EXISTS\\s+)?"?${escaped}"?\\s`,
    'i',
  ).test(migrationsSql);
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}
