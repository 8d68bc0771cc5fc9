import { BehaviorSubject, Observable } from 'rxjs';
import type { Entry } from '../entry.js';
import { CompactedError, CorruptDataError, InvalidArgumentError, StoreClosedError } from '../errors.js';
import { normalizeFilter } from '../filter.js';
import { type KindMap, kindOf } from '../kinds.js';
import type { AnyOp, Change, CommitResult, Op, WriteOptions } from '../ops.js';
import type { DurableLog, DurableStats } from '../persistence/durable-log.js';
import type { PersistenceHealth } from '../persistence/health.js';
import { encodeCommit, type LogRecord } from '../persistence/log-record.js';
import { openDurableLog, type PersistenceOptions } from '../persistence/recovery.js';
import type { SnapshotState } from '../persistence/snapshot.js';
import type {
  ListOptions,
  ListResult,
  Store,
  Transaction,
  TransactionOptions,
  TransactionResult,
} from '../store.js';
import { runTransaction } from '../transaction.js';
import type { ObjectEvent, WatchEvent, WatchFilter, WatchOptions } from '../watch.js';
import { type ChangeRecord, eventFor, toLogRecord } from './change-record.js';
import { Collection, type IndexValues } from './collection.js';
import { type CommitPlan, type PlannedChange, type PlanState, planCommit } from './commit-plan.js';
import { Subscription } from './subscription.js';
import { WatchHub } from './watch-hub.js';

export interface MemoryStoreOptions<K extends KindMap> {
  readonly kinds: K;
  /** Source of createdAt/updatedAt, epoch ms. Default Date.now. */
  readonly clock?: () => number;
  /** Committed events retained for `watch(…, { fromVersion })` replay. Default 10,000. */
  readonly watchWindow?: number;
  /** Undelivered events a watcher may accumulate before it is ended. Default 10,000. */
  readonly maxBufferedEvents?: number;
  /** Makes the store durable: a write-ahead log plus snapshots in `dir`. */
  readonly persistence?: PersistenceOptions;
}

export interface MemoryStoreStats {
  readonly version: number;
  readonly objects: Readonly<Record<string, number>>;
  readonly sequences: number;
  readonly watchers: number;
  readonly window: { readonly size: number; readonly capacity: number; readonly compactedThrough: number };
  readonly persistence: DurableStats | undefined;
}

export interface MemoryStore<K extends KindMap> extends Store<K> {
  stats(): MemoryStoreStats;
  /** Persistence health now (always `ok` without persistence): for readiness probes. */
  health(): PersistenceHealth;
  /** Persistence health, on every change (replays the current one). */
  readonly health$: Observable<PersistenceHealth>;
}

const DEFAULT_WINDOW = 10_000;
const DEFAULT_BUFFER = 10_000;

const countOption = (name: string, value: number | undefined, fallback: number, min: number): number => {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min)
    throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
};

/**
 * The in-memory backend: per kind a Map of immutable entries with maintained indexes; writes are
 * validated against the current state and applied synchronously at call time. With persistence,
 * results, reads and watch events are released only once the state they reflect is durable.
 */
class MemoryStoreImpl implements PlanState {
  readonly kinds: KindMap;
  private readonly collections = new Map<string, Collection>();
  private readonly sequences = new Map<string, number>();
  private readonly clock: () => number;
  private readonly hub: WatchHub;
  private current = 0;
  private log: DurableLog | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private failure: StoreClosedError | undefined;
  private readonly healthSubject = new BehaviorSubject<PersistenceHealth>({
    status: 'ok',
    durableVersion: 0,
    since: Date.now(),
  });
  readonly health$ = this.healthSubject.asObservable();

  constructor(options: MemoryStoreOptions<KindMap>) {
    this.kinds = options.kinds;
    for (const [name, def] of Object.entries(options.kinds))
      this.collections.set(name, new Collection(name, def));
    this.clock = options.clock ?? Date.now;
    this.hub = new WatchHub(
      countOption('watchWindow', options.watchWindow, DEFAULT_WINDOW, 0),
      countOption('maxBufferedEvents', options.maxBufferedEvents, DEFAULT_BUFFER, 1),
    );
  }

  async attach(persistence: PersistenceOptions): Promise<void> {
    const self = this;
    this.log = await openDurableLog(
      persistence,
      {
        get version() {
          return self.current;
        },
        loadSnapshot: (state) => this.loadSnapshot(state),
        replay: (record) => this.replay(record),
      },
      () => this.capture(),
    );
    this.log.onDurable = (v) => this.hub.advance(v);
    this.log.onHealth = (h) => this.healthSubject.next(h);
    this.healthSubject.next(this.log.health);
    this.log.onFailure = (err) => {
      this.failure = err;
      this.hub.endAll({ error: err, abandon: true });
    };
    this.hub.advance(this.current);
  }

  // PlanState
  collection(kind: string): Collection {
    const c = this.collections.get(kind);
    if (c) return c;
    kindOf(this.kinds, kind);
    throw new InvalidArgumentError(`unknown kind "${kind}"`);
  }

  sequenceValue(name: string): number {
    return this.sequences.get(name) ?? 0;
  }

  get(kind: string, key: string): Promise<Entry<unknown> | undefined> {
    try {
      this.assertOpen();
      return this.settle(this.collection(kind).get(key));
    } catch (err) {
      return this.fail(err);
    }
  }

  list(kind: string, options?: ListOptions): Promise<ListResult<unknown>> {
    try {
      this.assertOpen();
      const c = this.collection(kind);
      return this.settle({ items: c.list(normalizeFilter(kind, c.def, options)), version: this.current });
    } catch (err) {
      return this.fail(err);
    }
  }

  version(): Promise<number> {
    try {
      this.assertOpen();
      return this.settle(this.current);
    } catch (err) {
      return this.fail(err);
    }
  }

  async create(kind: string, object: unknown): Promise<Entry<unknown>> {
    const { results } = await this.commit([{ op: 'create', kind, object }]);
    return results[0] as Entry<unknown>;
  }

  async update(
    kind: string,
    key: string,
    change: Change<unknown>,
    options?: WriteOptions,
  ): Promise<Entry<unknown>> {
    const { results } = await this.commit([
      { op: 'update', kind, key, change, ifVersion: options?.ifVersion },
    ]);
    return results[0] as Entry<unknown>;
  }

  async delete(kind: string, key: string, options?: WriteOptions): Promise<Entry<unknown>> {
    const { results } = await this.commit([{ op: 'delete', kind, key, ifVersion: options?.ifVersion }]);
    return results[0] as Entry<unknown>;
  }

  commit(ops: readonly Op<KindMap>[]): Promise<CommitResult> {
    try {
      this.assertOpen();
      if (!Array.isArray(ops)) throw new InvalidArgumentError('commit takes an array of ops');
      const version = this.current + 1;
      const plan = planCommit(this, ops as readonly AnyOp[], version, this.clock());
      if (plan.changes.length === 0 && plan.sequences.length === 0) {
        return this.settle({ version: this.current, results: plan.results });
      }
      this.log?.assertWritable();
      // Encoded before it is applied: a record that cannot be stored fails this write alone.
      const encoded = this.log ? { version, bytes: encodeCommit(toLogRecord(version, plan)) } : undefined;
      this.apply(plan, version);
      if (encoded) this.log?.append(encoded);
      if (!this.log) this.hub.advance(version);
      return this.settle({ version, results: plan.results });
    } catch (err) {
      return this.fail(err);
    }
  }

  transaction<R>(
    fn: (tx: Transaction<KindMap>) => R | Promise<R>,
    options?: TransactionOptions,
  ): Promise<TransactionResult<R>> {
    return runTransaction(this as unknown as Store<KindMap>, fn, options);
  }

  sequence(name: string): Promise<number> {
    try {
      this.assertOpen();
      if (typeof name !== 'string' || name === '')
        throw new InvalidArgumentError('sequence name must be a non-empty string');
      return this.settle(this.sequenceValue(name));
    } catch (err) {
      return this.fail(err);
    }
  }

  async nextSequence(name: string): Promise<number> {
    const current = typeof name === 'string' ? this.sequenceValue(name) : 0;
    const { results } = await this.commit([{ op: 'sequence', name, value: current + 1 }]);
    return results[0] as number;
  }

  watch(filter: WatchFilter, options?: WatchOptions): Observable<WatchEvent<unknown>> {
    return new Observable<WatchEvent<unknown>>((subscriber) => {
      let sub: Subscription;
      try {
        this.assertOpen();
        if (typeof filter !== 'object' || filter === null)
          throw new InvalidArgumentError('watch needs a filter');
        const c = this.collection(filter.kind);
        const f = normalizeFilter(c.name, c.def, filter);
        const pos = f.index === undefined ? -1 : c.indexPosition(f.index);
        sub = new Subscription(c.name, f, pos, subscriber, this.current, this.hub.maxBuffered);
        const from = options?.fromVersion;
        if (from === undefined) {
          sub.begin(c.list(f), []);
        } else {
          if (!Number.isSafeInteger(from) || from < 0) {
            throw new InvalidArgumentError(`fromVersion must be a version, got ${from}`);
          }
          if (from > this.current) {
            throw new InvalidArgumentError(
              `fromVersion ${from} is ahead of the store (at version ${this.current})`,
            );
          }
          const window = this.hub.window;
          if (from < window.compactedThrough) throw new CompactedError(from, window.compactedThrough);
          const replay: ObjectEvent<unknown>[] = [];
          for (const r of window.after(from)) {
            const e = r.event.kind === c.name ? sub.view(r) : undefined;
            if (e) replay.push(e);
          }
          sub.begin([], replay);
        }
        this.hub.add(sub, true);
      } catch (err) {
        sub = new Subscription(
          String(filter?.kind),
          normalizeFilter('', { key: () => '' }, {}),
          -1,
          subscriber,
          0,
          1,
        );
        sub.end({ error: err }, true);
        this.hub.add(sub, false);
      }
      return () => this.hub.remove(sub);
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      try {
        await this.log?.close();
      } finally {
        this.hub.endAll('complete');
      }
    })();
    return this.closing;
  }

  health(): PersistenceHealth {
    return this.log?.health ?? this.healthSubject.value;
  }

  stats(): MemoryStoreStats {
    const objects: Record<string, number> = {};
    for (const [name, c] of this.collections) objects[name] = c.size;
    return {
      version: this.current,
      objects,
      sequences: this.sequences.size,
      watchers: this.hub.watchers,
      window: {
        size: this.hub.window.size,
        capacity: this.hub.window.capacity,
        compactedThrough: this.hub.window.compactedThrough,
      },
      persistence: this.log?.stats,
    };
  }

  private apply(plan: CommitPlan, version: number): void {
    this.current = version;
    const records: ChangeRecord[] = [];
    for (const ch of plan.changes) {
      if (ch.next) ch.collection.put(ch.next, ch.oldIndex, ch.newIndex as IndexValues);
      else ch.collection.remove(ch.key, ch.oldIndex as IndexValues, version);
      records.push({ event: eventFor(ch, version), oldIndex: ch.oldIndex, newIndex: ch.newIndex });
    }
    for (const [name, value] of plan.sequences) this.sequences.set(name, value);
    this.hub.publish(version, records);
  }

  private loadSnapshot(state: SnapshotState): void {
    for (const e of state.entries) {
      const c = this.recoveredCollection(e.kind);
      c.put(e, undefined, c.indexValues(e.object));
    }
    for (const c of this.collections.values()) c.lastChanged = state.version;
    for (const [name, value] of state.sequences) this.sequences.set(name, value);
    this.current = state.version;
    this.hub.window.reset(state.version);
  }

  private replay(record: LogRecord): void {
    const changes: PlannedChange[] = record.changes.map(({ kind, key, entry }) => {
      const c = this.recoveredCollection(kind);
      const previous = c.get(key);
      if (entry && (entry.kind !== kind || entry.key !== key || entry.version !== record.version)) {
        throw new CorruptDataError(
          `log record ${record.version} holds a mislabelled entry for ${kind} "${key}"`,
        );
      }
      if (!entry && !previous) {
        throw new CorruptDataError(
          `log record ${record.version} deletes ${kind} "${key}", which does not exist`,
        );
      }
      return {
        collection: c,
        key,
        previous,
        next: entry ?? undefined,
        oldIndex: previous ? c.indexValues(previous.object) : undefined,
        newIndex: entry ? c.indexValues(entry.object) : undefined,
      };
    });
    this.apply({ changes, sequences: record.sequences.map(([n, v]) => [n, v]), results: [] }, record.version);
  }

  private recoveredCollection(kind: string): Collection {
    const c = this.collections.get(kind);
    if (!c)
      throw new CorruptDataError(`persisted data holds kind "${kind}", which this store does not register`);
    return c;
  }

  private capture(): SnapshotState {
    const entries: Entry<unknown>[] = [];
    for (const c of this.collections.values()) for (const e of c.entries.values()) entries.push(e);
    return { version: this.current, sequences: [...this.sequences], entries };
  }

  private assertOpen(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StoreClosedError();
  }

  /** Resolves once the state the value was computed from is durable (at once without persistence). */
  private settle<T>(value: T): Promise<T> {
    if (!this.log) return Promise.resolve(value);
    return this.log.whenDurable(this.current).then(() => value);
  }

  private fail(err: unknown): Promise<never> {
    if (!this.log || err instanceof StoreClosedError) return Promise.reject(err);
    return this.log.whenDurable(this.current).then(() => Promise.reject(err));
  }
}

/**
 * Creates an in-memory store; with `persistence`, recovers it from disk first. See docs/store.md.
 */
export async function createMemoryStore<K extends KindMap>(
  options: MemoryStoreOptions<K>,
): Promise<MemoryStore<K>> {
  if (typeof options?.kinds !== 'object' || options.kinds === null) {
    throw new InvalidArgumentError('createMemoryStore needs { kinds }');
  }
  const store = new MemoryStoreImpl(options);
  if (options.persistence) await store.attach(options.persistence);
  return store as unknown as MemoryStore<K>;
}
