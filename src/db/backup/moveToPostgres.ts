import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors.js';
import type { SqlExecutor } from '../Database.js';
import { applyMigrations } from '../migrate.js';
import { openPgliteDatabase } from '../openPgliteDatabase.js';
import { openPostgresDatabase } from '../openPostgresDatabase.js';
import { holdsPgliteDatabase } from './backupDatabase.js';
import { appliedMigrationNames, countRows, listDataTables, quoteIdent } from './tableCounts.js';

export interface MoveOutcome {
  tables: Array<{ table: string; source: number; target: number }>;
  migrations: string[];
}

const DEFAULT_BATCH_ROWS = 1_000;

/**
 * Copies the embedded database in `dataDir` into the empty PostgreSQL database at `databaseUrl`: both are
 * migrated to the current schema first, every table is copied in one PostgreSQL transaction (parents before
 * children), sequences continue after the copied ids, and the row counts of every table are compared. The
 * embedded database is only read; the bot must be stopped, or writes after the copy would be lost.
 *
 * Not pg_dump: the embedded database is a newer PostgreSQL major than a typical server, and its files are
 * not readable by the server anyway. Rows travel as JSON, which round-trips every column type we use.
 */
export async function moveToPostgres(options: {
  dataDir: string;
  databaseUrl: string;
  logger: Logger;
  batchRows?: number;
}): Promise<MoveOutcome> {
  const dataDir = path.resolve(options.dataDir);
  if (!(await holdsPgliteDatabase(dataDir))) {
    throw new AppError('move.noDatabase', `There is no embedded database in ${dataDir} (DATA_DIR) to move.`);
  }
  const source = await openPgliteDatabase({ dataDir, logger: options.logger }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'db.dataDirInUse') {
      throw new AppError(
        'move.botRunning',
        `${error.message} Stop the bot before moving: rows it wrote after the copy would be lost.`,
      );
    }
    throw error;
  });
  try {
    const target = await openPostgresDatabase({
      databaseUrl: options.databaseUrl,
      poolSize: 2,
      logger: options.logger,
    });
    try {
      await applyMigrations({ sql: source.sql, logger: options.logger });
      await applyMigrations({ sql: target.sql, logger: options.logger });
      const migrations = await appliedMigrationNames(target.sql);
      const sourceMigrations = await appliedMigrationNames(source.sql);
      if (sourceMigrations.join('\n') !== migrations.join('\n')) {
        throw new AppError(
          'move.schemaMismatch',
          `The two databases record different migrations after migrating (embedded: ${sourceMigrations.length}, ` +
            `PostgreSQL: ${migrations.length}). Is PostgreSQL used by a newer release of the bot?`,
        );
      }
      const tables = await listDataTables(target.sql);
      const nonEmpty = Object.entries(await countRows(target.sql, tables)).filter(([, count]) => count > 0);
      if (nonEmpty.length > 0) {
        throw new AppError(
          'move.targetNotEmpty',
          `The PostgreSQL database already has rows (${nonEmpty.map(([table, count]) => `${table}: ${count}`).join(', ')}). ` +
            'Move into a new, empty database; nothing was copied.',
        );
      }
      const order = await parentsFirst(target.sql, tables);
      await target.sql.transaction(async (tx) => {
        for (const table of order) {
          const rows = await copyTable({
            source: source.sql,
            target: tx,
            table,
            batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS,
          });
          options.logger.info({ table, rows }, 'table copied');
          await continueSequences(tx, table);
        }
      });
      // The search planner reads column statistics; a fresh bulk load has none until autovacuum runs.
      await target.sql.exec('ANALYZE');

      const sourceCounts = await countRows(source.sql, tables);
      const targetCounts = await countRows(target.sql, tables);
      const result = tables.map((table) => ({
        table,
        source: sourceCounts[table]!,
        target: targetCounts[table]!,
      }));
      const mismatched = result.filter((row) => row.source !== row.target);
      if (mismatched.length > 0) {
        throw new AppError(
          'move.countMismatch',
          `Row counts differ after the copy: ${mismatched.map((row) => `${row.table} ${row.source} → ${row.target}`).join(', ')}.`,
        );
      }
      return { tables: result, migrations };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** Columns a copy writes: generated columns (the search vector) are recomputed by PostgreSQL itself. */
async function writableColumns(sql: SqlExecutor, table: string): Promise<string[]> {
  const rows = await sql.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => row.column_name);
}

async function copyTable(options: {
  source: SqlExecutor;
  target: SqlExecutor;
  table: string;
  batchRows: number;
}): Promise<number> {
  const { table } = options;
  const columns = (await writableColumns(options.target, table)).map(quoteIdent).join(', ');
  const insert =
    `INSERT INTO ${quoteIdent(table)} (${columns}) ` +
    `SELECT ${columns} FROM json_populate_recordset(NULL::${quoteIdent(table)}, $1::json)`;
  // A cursor reads the table once, batch by batch, whatever its size (OFFSET paging would be quadratic).
  return options.source.transaction(async (tx) => {
    await tx.exec(
      `DECLARE tcs_move NO SCROLL CURSOR FOR SELECT to_json(t)::text AS row FROM ${quoteIdent(table)} t`,
    );
    let copied = 0;
    for (;;) {
      const batch = await tx.query<{ row: string }>(`FETCH ${options.batchRows} FROM tcs_move`);
      if (batch.length === 0) break;
      await options.target.query(insert, [`[${batch.map((item) => item.row).join(',')}]`]);
      copied += batch.length;
    }
    await tx.exec('CLOSE tcs_move');
    return copied;
  });
}

/** Serial columns continue after the highest copied id, so new rows do not collide with moved ones. */
async function continueSequences(sql: SqlExecutor, table: string): Promise<void> {
  const sequences = await sql.query<{ column_name: string; sequence: string }>(
    `SELECT column_name, pg_get_serial_sequence(quote_ident($1), column_name) AS sequence
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND pg_get_serial_sequence(quote_ident($1), column_name) IS NOT NULL`,
    [table],
  );
  for (const { column_name: column, sequence } of sequences) {
    await sql.query(
      `SELECT setval($1::regclass, COALESCE((SELECT max(${quoteIdent(column)}) FROM ${quoteIdent(table)}), 0) + 1, false)`,
      [sequence],
    );
  }
}

/** Tables ordered so that every table comes after the tables its foreign keys reference. */
async function parentsFirst(sql: SqlExecutor, tables: string[]): Promise<string[]> {
  const edges = await sql.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.relname <> p.relname`,
  );
  const ordered: string[] = [];
  const remaining = new Set(tables);
  while (remaining.size > 0) {
    const ready = [...remaining].filter((table) =>
      edges.every((edge) => edge.child !== table || !remaining.has(edge.parent)),
    );
    if (ready.length === 0) {
      throw new AppError(
        'move.foreignKeyCycle',
        `Foreign keys form a cycle among: ${[...remaining].join(', ')}.`,
      );
    }
    for (const table of ready.sort()) {
      ordered.push(table);
      remaining.delete(table);
    }
  }
  return ordered;
}
