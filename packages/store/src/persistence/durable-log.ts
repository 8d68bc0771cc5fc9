import type { FileHandle } from 'node:fs/promises';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreClosedError, StoreUnavailableError } from '../errors.js';
import { fsyncDir, parseSegmentName, parseSnapshotName, segmentName, writeAll } from './files.js';
import { type PersistenceHealth, Retry } from './health.js';
import type { DirLock } from './lock.js';
import { WAL_MAGIC } from './log-record.js';
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

/** One commit, encoded before it was applied (so a record that cannot be encoded fails only its own write). */
export interface EncodedRecord {
  readonly version: number;
  readonly bytes: Buffer;
}

export interface DurableLogInit {
  readonly dir: string;
  readonly fh: FileHandle;
  /** The segment being appended to, and its intact length. */
  readonly segmentPath: string;
  readonly segmentBytes: number;
  readonly version: number;
  readonly sinceSnapshot: number;
  readonly snapshotEvery: number;
  readonly lock: DirLock;
  /** The store's state now; must be at the version of the last appended record. */
  readonly capture: () => SnapshotState;
  readonly now?: () => number;
}

/**
 * The write-ahead log with group commit. Records appended during one turn of the event loop (and
 * while a flush is in flight) go to disk as one write + fdatasync; a commit counts as durable,
 * and its promise and watch events are released, only after that. Every `snapshotEvery` commits
 * the log rotates to a new segment and a snapshot is written in the background; once it is
 * durable, older snapshots and segments are removed.
 *
 * A failed write or fdatasync (ENOSPC, EIO) does not end the store: it turns `unavailable` —
 * waiting commits and new calls fail fast with StoreUnavailableError — and retries with backoff:
 * reopen the segment, cut it back to its last durable byte, write what is pending again, fdatasync
 * (never trusting a retried fsync on the same descriptor). Once that succeeds the pending commits
 * are durable, watchers get their events and the store is `ok` again. Losing the directory lock
 * (its holder died) is final.
 */
export class DurableLog {
  durableVersion: number;
  onDurable: (version: number) => void = () => {};
  onFailure: (err: StoreClosedError) => void = () => {};
  onHealth: (health: PersistenceHealth) => void = () => {};

  private readonly dir: string;
  private fh: FileHandle;
  private segmentPath: string;
  private segmentBytes: number;
  private readonly snapshotEvery: number;
  private readonly lock: DirLock;
  private readonly capture: () => SnapshotState;
  private readonly now: () => number;
  private sinceSnapshot: number;
  private pending: EncodedRecord[] = [];
  private waiters: Waiter[] = [];
  private failure: StoreClosedError | undefined;
  private unavailable: StoreUnavailableError | undefined;
  private readonly retry = new Retry();
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private closed = false;
  private counters = { flushes: 0, records: 0, bytes: 0, snapshots: 0 };
  private healthState: PersistenceHealth;

  constructor(init: DurableLogInit) {
    this.dir = init.dir;
    this.fh = init.fh;
    this.segmentPath = init.segmentPath;
    this.segmentBytes = init.segmentBytes;
    this.durableVersion = init.version;
    this.sinceSnapshot = init.sinceSnapshot;
    this.snapshotEvery = init.snapshotEvery;
    this.lock = init.lock;
    this.capture = init.capture;
    this.now = init.now ?? Date.now;
    this.healthState = { status: 'ok', durableVersion: init.version, since: this.now() };
    this.lock.onLost = (err) => this.fail(err);
  }

  get stats(): DurableStats {
    return { durableVersion: this.durableVersion, ...this.counters };
  }

  get health(): PersistenceHealth {
    return { ...this.healthState, durableVersion: this.durableVersion };
  }

  /** Throws if the log cannot take writes now; the caller must not apply the commit then. */
  assertWritable(): void {
    if (this.failure) throw this.failure;
    if (this.unavailable) throw this.unavailable;
  }

  append(record: EncodedRecord): void {
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
    if (this.unavailable) return Promise.reject(this.unavailable);
    return new Promise((resolve, reject) => this.waiters.push({ version, resolve, reject }));
  }

  /** Flushes what is pending (unless the disk is failing), waits for a running snapshot, closes files and the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retry.cancel();
    while (this.flushing || (this.pending.length > 0 && !this.failure && !this.unavailable)) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
    this.rejectWaiters(this.failure ?? this.unavailable ?? new StoreClosedError());
    await this.snapshotting;
    await this.fh.close().catch(() => {});
    await this.lock.release();
  }

  private startFlush(): void {
    if (this.flushing || this.pending.length === 0 || this.failure || this.unavailable) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0 && !this.closed) this.startFlush();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0 && !this.failure && !this.unavailable) {
      const batch = this.pending.slice();
      const last = (batch[batch.length - 1] as EncodedRecord).version;
      // Every applied commit is in `batch`, so the store is exactly at `last` right now.
      const snapshot =
        this.sinceSnapshot >= this.snapshotEvery && !this.snapshotting ? this.capture() : undefined;
      const buf =
        batch.length === 1 ? (batch[0] as EncodedRecord).bytes : Buffer.concat(batch.map((r) => r.bytes));
      try {
        await writeAll(this.fh, buf);
        await this.fh.datasync();
      } catch (err) {
        // The batch stays pending: it is written again once the disk recovers.
        this.becomeUnavailable(err);
        return;
      }
      this.pending = this.pending.slice(batch.length);
      this.segmentBytes += buf.length;
      this.counters.flushes++;
      this.counters.records += batch.length;
      this.counters.bytes += buf.length;
      this.markDurable(last);
      if (snapshot && snapshot.version === last) {
        this.sinceSnapshot = 0;
        try {
          // Here, between flushes: the new segment must start exactly after the snapshot's version.
          await this.rotate(last + 1);
        } catch (err) {
          // The log still holds everything: try again after the next snapshotEvery commits.
          this.report({ ...this.healthState, lastSnapshotError: describe(err) });
          continue;
        }
        this.startSnapshot(snapshot);
      }
    }
  }

  /** Writes a snapshot in the background; failing only postpones it. */
  private startSnapshot(state: SnapshotState): void {
    this.snapshotting = (async () => {
      try {
        await writeSnapshot(this.dir, state);
        this.counters.snapshots++;
        await removeObsolete(this.dir, state.version);
      } catch (err) {
        // The log still holds everything: try again after the next snapshotEvery commits.
        this.report({ ...this.healthState, lastSnapshotError: describe(err) });
      } finally {
        this.snapshotting = undefined;
      }
    })();
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
    const path = join(this.dir, segmentName(firstVersion));
    const fh = await open(path, 'a', 0o600);
    try {
      await writeAll(fh, WAL_MAGIC);
      await fh.datasync();
      await fsyncDir(this.dir);
    } catch (err) {
      await fh.close().catch(() => {});
      await rm(path, { force: true }).catch(() => {});
      throw err;
    }
    // Appends go on in the old segment until the new one is durable; the flush loop is not running now.
    const old = this.fh;
    this.fh = fh;
    this.segmentPath = path;
    this.segmentBytes = WAL_MAGIC.length;
    await old.close().catch(() => {});
  }

  private becomeUnavailable(err: unknown): void {
    const code = (err as NodeJS.ErrnoException)?.code;
    this.unavailable = new StoreUnavailableError(
      `persistence is failing (${describe(err)}): writes are refused until it recovers; Baton retries by itself`,
      { cause: err },
    );
    this.rejectWaiters(this.unavailable);
    const since = this.healthState.status === 'ok' ? this.now() : this.healthState.since;
    this.report({
      status: 'unavailable',
      durableVersion: this.durableVersion,
      since,
      reason: describe(err),
      ...(code ? { code } : {}),
      retries: this.retry.attempts,
    });
    if (!this.closed) this.retry.schedule(() => void this.recover());
  }

  /** Reopens the segment, cuts it back to its durable length, writes what is pending again. */
  private async recover(): Promise<void> {
    if (this.closed || this.failure) return;
    try {
      await this.fh.close().catch(() => {});
      this.fh = await open(this.segmentPath, 'r+', 0o600);
      await this.fh.truncate(this.segmentBytes);
      await this.fh.close();
      this.fh = await open(this.segmentPath, 'a', 0o600);
      const buf = Buffer.concat(this.pending.map((r) => r.bytes));
      if (buf.length > 0) await writeAll(this.fh, buf);
      await this.fh.datasync();
      const last = this.pending.at(-1)?.version;
      this.pending = [];
      this.segmentBytes += buf.length;
      this.unavailable = undefined;
      this.retry.reset();
      if (last !== undefined) this.markDurable(last);
      this.report({ status: 'ok', durableVersion: this.durableVersion, since: this.now() });
    } catch (err) {
      this.becomeUnavailable(err);
    }
  }

  private rejectWaiters(err: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }

  private report(health: PersistenceHealth): void {
    this.healthState = health;
    this.onHealth(health);
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.retry.cancel();
    this.failure = new StoreClosedError(
      `persistence failed (${describe(err)}); reopen the store to recover from disk`,
      { cause: err },
    );
    this.rejectWaiters(this.failure);
    this.report({
      status: 'failed',
      durableVersion: this.durableVersion,
      since: this.now(),
      reason: describe(err),
    });
    this.onFailure(this.failure);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
