import { mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptDataError, InvalidArgumentError } from '../errors.js';
import { DurableLog, removeObsolete } from './durable-log.js';
import { fsyncDir, parseSegmentName, parseSnapshotName, segmentName, writeAll } from './files.js';
import { acquireLock } from './lock.js';
import { decodeSegment, findIntactRecord, type LogRecord, WAL_MAGIC } from './log-record.js';
import { readSnapshot, type SnapshotState } from './snapshot.js';

export interface PersistenceOptions {
  /** Directory holding the log segments and snapshots (created if missing). */
  readonly dir: string;
  /** Write a snapshot (and drop older log segments) every this many commits. Default 10,000. */
  readonly snapshotEvery?: number;
}

/** What recovery feeds: the store's state loader. */
export interface RecoverySink {
  readonly version: number;
  loadSnapshot(state: SnapshotState): void;
  replay(record: LogRecord): void;
}

const DEFAULT_SNAPSHOT_EVERY = 10_000;

/**
 * Opens a persistence directory: takes the lock, loads the newest intact snapshot, replays the
 * log after it (a torn or corrupt tail of the last segment — a crash mid-write — is truncated;
 * damage anywhere else is a CorruptDataError), then opens the log for appending.
 */
export async function openDurableLog(
  options: PersistenceOptions,
  sink: RecoverySink,
  capture: () => SnapshotState,
): Promise<DurableLog> {
  const snapshotEvery = options.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 1) {
    throw new InvalidArgumentError(`snapshotEvery must be a positive integer, got ${snapshotEvery}`);
  }
  const dir = options.dir;
  // Private: records hold environment values and other task data.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(dir);
  try {
    const names = await readdir(dir);
    for (const n of names) if (n.endsWith('.tmp')) await rm(join(dir, n), { force: true });

    const snapshots = names
      .map((n) => ({ n, v: parseSnapshotName(n) }))
      .filter((s): s is { n: string; v: number } => s.v !== undefined)
      .sort((a, b) => b.v - a.v);
    let snapshotVersion = 0;
    for (const [i, snap] of snapshots.entries()) {
      try {
        const state = await readSnapshot(join(dir, snap.n));
        sink.loadSnapshot(state);
        snapshotVersion = state.version;
        break;
      } catch (err) {
        // A damaged newest snapshot may still be covered by an older one plus the log.
        if (!(err instanceof CorruptDataError) || i === snapshots.length - 1) throw err;
      }
    }

    const segments = names
      .map((n) => ({ n, start: parseSegmentName(n) }))
      .filter((s): s is { n: string; start: number } => s.start !== undefined)
      .sort((a, b) => a.start - b.start);
    let lastLength = WAL_MAGIC.length;
    for (const [i, seg] of segments.entries()) {
      const path = join(dir, seg.n);
      const last = i === segments.length - 1;
      const bytes = await readFile(path);
      const decoded = decodeSegment(bytes);
      if (decoded.damage !== undefined) {
        // Only a torn tail (a crash mid-append) is cut off: intact records after the damage are
        // acknowledged commits, and dropping them silently would lose them.
        const intact = findIntactRecord(bytes, decoded.validLength);
        if (!last || intact !== undefined)
          throw damagedLog(dir, path, decoded.validLength, decoded.damage, intact);
        await repairTail(path, decoded.validLength);
      }
      lastLength = Math.max(WAL_MAGIC.length, decoded.validLength);
      for (const record of decoded.records) {
        if (record.version <= sink.version) continue;
        if (record.version !== sink.version + 1) {
          throw new CorruptDataError(
            `log ${path} continues at version ${record.version} but the state is at ${sink.version}; a segment is missing`,
          );
        }
        sink.replay(record);
      }
    }

    if (snapshotVersion > 0) await removeObsolete(dir, snapshotVersion);
    const lastSegment = segments.at(-1);
    let fh: Awaited<ReturnType<typeof open>>;
    const segmentPath = join(dir, lastSegment ? lastSegment.n : segmentName(sink.version + 1));
    if (lastSegment) {
      fh = await open(segmentPath, 'a', 0o600);
    } else {
      lastLength = WAL_MAGIC.length;
      fh = await open(segmentPath, 'a', 0o600);
      await writeAll(fh, WAL_MAGIC);
      await fh.datasync();
      await fsyncDir(dir);
    }
    return new DurableLog({
      dir,
      fh,
      segmentPath,
      segmentBytes: lastLength,
      version: sink.version,
      sinceSnapshot: sink.version - snapshotVersion,
      snapshotEvery,
      lock,
      capture,
    });
  } catch (err) {
    await lock.release();
    throw err;
  }
}

function damagedLog(
  dir: string,
  path: string,
  offset: number,
  damage: string,
  intact: number | undefined,
): CorruptDataError {
  const after = intact === undefined ? 'before its end' : `and intact records follow at byte ${intact}`;
  return new CorruptDataError(
    `log segment ${path} is damaged at byte ${offset} (${damage}) ${after}; refusing to open, which would drop acknowledged commits. ` +
      `To keep every commit before the damage and set the rest aside, run: npx baton-store repair ${dir} (or repairDurableLog(dir))`,
    { file: path, offset },
  );
}

/** Cuts a torn tail off the last segment (and restores its header if even that was torn). */
async function repairTail(path: string, validLength: number): Promise<void> {
  if (validLength < WAL_MAGIC.length) {
    const fh = await open(path, 'w', 0o600);
    try {
      await writeAll(fh, WAL_MAGIC);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    return;
  }
  await truncate(path, validLength);
  const fh = await open(path, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
