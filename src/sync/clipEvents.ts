import { EventEmitter } from 'node:events';
import type { ClipRecord } from '../clips/ClipRecord.js';
import type { UpsertClipsResult } from '../clips/clipStore.js';
import type { SqlExecutor } from '../db/Database.js';

export interface ClipUpdatedEvent {
  clip: ClipRecord;
  previousTitle: string;
  previousViewCount: number;
}

export interface ClipDeletedEvent {
  clipId: string;
  broadcasterId: string;
}

/** In-process notifications, emitted after the transaction that recorded them committed. */
export interface ClipSyncEvents {
  clipDiscovered: [clip: ClipRecord];
  clipUpdated: [event: ClipUpdatedEvent];
  clipDeleted: [event: ClipDeletedEvent];
}

/**
 * Typed emitter for clip events. A throwing listener is reported through `onListenerError` instead of
 * propagating: the events are already durable, and a listener bug must not fail the sync step.
 */
export class ClipSyncEmitter extends EventEmitter<ClipSyncEvents> {
  onListenerError: (error: unknown) => void = () => undefined;

  safeEmit<K extends keyof ClipSyncEvents>(event: K, ...args: ClipSyncEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: ClipSyncEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.onListenerError(error);
    }
  }
}

/**
 * Clips in id order: every sync transaction then locks clip rows in the same order, so a poll and a
 * re-check touching the same clips cannot deadlock.
 */
export function inLockOrder<T extends { id: string }>(clips: readonly T[]): T[] {
  return [...clips].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Keeps the updates worth telling the notifier about: a new title, or a view count that moved by at least
 * 10% (and 10 views). Re-seeing clips in overlapping windows would otherwise write an event per clip per
 * poll as views tick up.
 */
export function significantUpdates(result: UpsertClipsResult): UpsertClipsResult {
  return {
    discovered: result.discovered,
    updated: result.updated.filter(
      (update) =>
        update.previousTitle !== update.clip.title ||
        Math.abs(update.clip.viewCount - update.previousViewCount) >=
          Math.max(10, update.previousViewCount * 0.1),
    ),
  };
}

/**
 * Writes the durable clip_events rows for one upsert (call with the transaction's executor). The notifier
 * consumes unprocessed rows in id order; the in-process emitter is only a wake-up hint.
 */
export async function recordClipEvents(
  tx: SqlExecutor,
  result: UpsertClipsResult,
  deleted: readonly ClipDeletedEvent[] = [],
): Promise<void> {
  const kinds: string[] = [];
  const clipIds: string[] = [];
  const broadcasterIds: string[] = [];
  const titles: (string | null)[] = [];
  const views: (number | null)[] = [];
  for (const clip of result.discovered) {
    kinds.push('discovered');
    clipIds.push(clip.id);
    broadcasterIds.push(clip.broadcasterId);
    titles.push(null);
    views.push(null);
  }
  for (const update of result.updated) {
    kinds.push('updated');
    clipIds.push(update.clip.id);
    broadcasterIds.push(update.clip.broadcasterId);
    titles.push(update.previousTitle);
    views.push(update.previousViewCount);
  }
  for (const deletion of deleted) {
    kinds.push('deleted');
    clipIds.push(deletion.clipId);
    broadcasterIds.push(deletion.broadcasterId);
    titles.push(null);
    views.push(null);
  }
  if (kinds.length === 0) return;
  await tx.query(
    `INSERT INTO clip_events (kind, clip_id, broadcaster_id, previous_title, previous_view_count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])`,
    [kinds, clipIds, broadcasterIds, titles, views],
  );
}

export function emitClipEvents(
  emitter: ClipSyncEmitter,
  result: UpsertClipsResult,
  deleted: readonly ClipDeletedEvent[] = [],
): void {
  for (const clip of result.discovered) emitter.safeEmit('clipDiscovered', clip);
  for (const update of result.updated) emitter.safeEmit('clipUpdated', update);
  for (const deletion of deleted) emitter.safeEmit('clipDeleted', deletion);
}
