import type { FileHandle } from 'node:fs/promises';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreClosedError } from '../errors.js';
import { fsyncDir, parseSegmentName, parseSnapshotName, segmentName, writeAll } from './files.js';
import type { DirLock } from './lock.js';
import { encodeRecord, type LogRecord, WAL_MAGIC } from './log-record.js';
import { type SnapshotState, writeSnapshot } from './snapshot.js';

export interface DurableStats {
  readonly durableVersion: number;
  /** write + fdatasync pairs (group commits). */
  readonly flushes: number;
  readonly records: number;
  readonly bytes: number;
  readonly snapshots: number;
}

interface Waiter {
  readonly version: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export interface DurableLogInit {
  readonly dir: string;
  readonly fh: FileHandle;
  readonly version: number;
  readonly sinceSnapshot: number;
  readonly snapshotEvery: number;
  readonly lock: DirLock;
  /** The store's state now; must be at the version of the last appended record. */
  readonly capture: () => SnapshotState;
}

/**
 * The write-ahead log with group commit. Records appended during one turn of the event loop (and
 * while a flush is in flight) go to disk as one write + fdatasync; a commit counts as durable,
 * and its promise and watch events are released, only after that. Every `snapshotEvery` commits
 * the log rotates to a new segment and a snapshot is written in the background; once it is
 * durable, older snapshots and segments are removed.
 */
export class DurableLog {
  durableVersion: number;
  onDurable: (version: number) => void = () => {};
  onFailure: (err: StoreClosedError) => void = () => {};

  private readonly dir: string;
  private fh: FileHandle;
  private readonly snapshotEvery: number;
  private readonly lock: DirLock;
  private readonly capture: () => SnapshotState;
  private sinceSnapshot: number;
  private pending: LogRecord[] = [];
  private waiters: Waiter[] = [];
  private failure: StoreClosedError | undefined;
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private closed = false;
  private counters = { flushes: 0, records: 0, bytes: 0, snapshots: 0 };

  constructor(init: DurableLogInit) {
    this.dir = init.dir;
    this.fh = init.fh;
    this.durableVersion = init.version;
    this.sinceSnapshot = init.sinceSnapshot;
    this.snapshotEvery = init.snapshotEvery;
    this.lock = init.lock;
    this.capture = init.capture;
  }

  get stats(): DurableStats {
    return { durableVersion: this.durableVersion, ...this.counters };
  }

  /** Throws if the log has failed; the caller must not apply the commit then. */
  assertWritable(): void {
    if (this.failure) throw this.failure;
  }

  append(record: LogRecord): void {
    this.pending.push(record);
    this.sinceSnapshot++;
    if (!this.flushScheduled && !this.flushing) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.startFlush();
      });
    }
  }

  whenDurable(version: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (version <= this.durableVersion) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ version, resolve, reject }));
  }

  /** Flushes what is pending, waits for a running snapshot, closes files and the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing || (this.pending.length > 0 && !this.failure)) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
    await this.snapshotting;
    await this.fh.close().catch(() => {});
    await this.lock.release();
  }

  private startFlush(): void {
    if (this.flushing || this.pending.length === 0 || this.failure) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0 && !this.closed) this.startFlush();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const batch = this.pending;
      this.pending = [];
      const last = (batch[batch.length - 1] as LogRecord).version;
      // Every applied commit is in `batch`, so the store is exactly at `last` right now.
      const snapshot =
        this.sinceSnapshot >= this.snapshotEvery && !this.snapshotting ? this.capture() : undefined;
      if (snapshot) this.sinceSnapshot = 0;
      try {
        const encoded = batch.map(encodeRecord);
        const buf = encoded.length === 1 ? (encoded[0] as Buffer) : Buffer.concat(encoded);
        await writeAll(this.fh, buf);
        await this.fh.datasync();
        this.counters.flushes++;
        this.counters.records += batch.length;
        this.counters.bytes += buf.length;
      } catch (err) {
        this.fail(err);
        return;
      }
      this.markDurable(last);
      if (snapshot) {
        if (snapshot.version !== last) {
          this.fail(new Error(`snapshot captured at ${snapshot.version}, expected ${last}`));
          return;
        }
        try {
          await this.rotate(last + 1);
        } catch (err) {
          this.fail(err);
          return;
        }
        this.snapshotting = this.snapshot(snapshot).then(
          () => {
            this.snapshotting = undefined;
          },
          (err) => {
            this.snapshotting = undefined;
            this.fail(err);
          },
        );
      }
    }
  }

  private markDurable(version: number): void {
    this.durableVersion = version;
    let i = 0;
    while (i < this.waiters.length && (this.waiters[i] as Waiter).version <= version) i++;
    const ready = this.waiters.splice(0, i);
    this.onDurable(version);
    for (const w of ready) w.resolve();
  }

  private async rotate(firstVersion: number): Promise<void> {
    await this.fh.close();
    this.fh = await open(join(this.dir, segmentName(firstVersion)), 'a');
    await writeAll(this.fh, WAL_MAGIC);
    await this.fh.datasync();
    await fsyncDir(this.dir);
  }

  private async snapshot(state: SnapshotState): Promise<void> {
    await writeSnapshot(this.dir, state);
    this.counters.snapshots++;
    await removeObsolete(this.dir, state.version);
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    const msg = err instanceof Error ? err.message : String(err);
    this.failure = new StoreClosedError(
      `persistence failed (${msg}); reopen the store to recover from disk`,
      {
        cause: err,
      },
    );
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(this.failure);
    this.onFailure(this.failure);
  }
}

/** Removes snapshots older than `snapshotVersion` and segments holding only records up to it. */
export async function removeObsolete(dir: string, snapshotVersion: number): Promise<void> {
  const names = await readdir(dir);
  const segments = names
    .map((n) => ({ n, start: parseSegmentName(n) }))
    .filter((s): s is { n: string; start: number } => s.start !== undefined)
    .sort((a, b) => a.start - b.start);
  for (let i = 0; i + 1 < segments.length; i++) {
    const next = segments[i + 1] as { start: number };
    if (next.start <= snapshotVersion + 1)
      await rm(join(dir, (segments[i] as { n: string }).n), { force: true });
  }
  for (const n of names) {
    const v = parseSnapshotName(n);
    if (v !== undefined && v < snapshotVersion) await rm(join(dir, n), { force: true });
  }
}
