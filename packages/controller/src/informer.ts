import { type Clock, systemClock } from '@baton-ecs/loop';
import {
  CompactedError,
  type Entry,
  type KindMap,
  type KindName,
  type ObjectOf,
  type Store,
  StoreClosedError,
  type WatchEvent,
  WatchOverflowError,
} from '@baton-ecs/store';
import { BehaviorSubject, filter, type Observable, Subject, type Subscription } from 'rxjs';

/** A change to the informer's cache, after it was applied. */
export interface CacheChange<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly object: Entry<T> | undefined;
  readonly previous: Entry<T> | undefined;
}

/**
 * A local, always-current copy of one kind, fed by a store watch (snapshot,
 * then live events). Controllers read it synchronously. When the watch
 * breaks it resumes from the last version seen; when that is compacted or the
 * watcher fell behind, it re-lists and reports the difference as changes.
 */
export class Informer<K extends KindMap, N extends KindName<K>> {
  readonly changes = new Subject<CacheChange<ObjectOf<K, N>>>();
  private readonly versionSubject = new BehaviorSubject<number | undefined>(undefined);
  /**
   * The store version the cache reflects: the current one on subscription (once synced), then each
   * advance, emitted after the cache has applied it. Completes on stop. What waits on the cache
   * waits on this, never on a timer.
   */
  readonly versions: Observable<number> = this.versionSubject.pipe(
    filter((v): v is number => v !== undefined),
  );
  private readonly cache = new Map<string, Entry<ObjectOf<K, N>>>();
  private subscription: Subscription | undefined;
  private lastVersion: number | undefined;
  private relisting: Set<string> | undefined;
  private syncedResolve: (() => void) | undefined;
  readonly synced: Promise<void>;
  private stopped = false;
  private retryHandle: unknown;

  constructor(
    private readonly store: Store<K>,
    readonly kind: N,
    private readonly clock: Clock = systemClock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.synced = new Promise((resolve) => {
      this.syncedResolve = resolve;
    });
  }

  start(): void {
    this.subscribe(undefined);
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.retryHandle !== undefined) this.clock.clearTimeout(this.retryHandle);
    this.changes.complete();
    this.versionSubject.complete();
  }

  get(key: string): Entry<ObjectOf<K, N>> | undefined {
    return this.cache.get(key);
  }

  values(): IterableIterator<Entry<ObjectOf<K, N>>> {
    return this.cache.values();
  }

  get size(): number {
    return this.cache.size;
  }

  /** The store version the cache reflects (undefined before the first sync). */
  get version(): number | undefined {
    return this.lastVersion;
  }

  private subscribe(fromVersion: number | undefined): void {
    if (this.stopped) return;
    if (fromVersion === undefined) this.relisting = new Set();
    this.subscription = this.store
      .watch({ kind: this.kind }, fromVersion === undefined ? {} : { fromVersion })
      .subscribe({
        next: (e) => this.apply(e as WatchEvent<ObjectOf<K, N>>),
        error: (err: unknown) => {
          if (err instanceof StoreClosedError || this.stopped) return; // terminal: nothing to resume
          this.onError(err);
          const relist =
            err instanceof CompactedError ||
            err instanceof WatchOverflowError ||
            this.lastVersion === undefined ||
            this.relisting !== undefined; // a list cut short is no base to resume from
          this.retryHandle = this.clock.setTimeout(
            () => this.subscribe(relist ? undefined : this.lastVersion),
            relist ? 0 : 200,
          );
        },
      });
  }

  private apply(e: WatchEvent<ObjectOf<K, N>>): void {
    if (e.type === 'SYNCED') {
      if (this.relisting) {
        // Whatever the fresh snapshot did not contain is gone.
        for (const [key, previous] of this.cache) {
          if (!this.relisting.has(key)) {
            this.cache.delete(key);
            this.changes.next({ type: 'DELETED', key, object: undefined, previous });
          }
        }
        this.relisting = undefined;
      }
      this.advance(e.version);
      this.syncedResolve?.();
      return;
    }
    this.applyObject(e);
    // A (re-)list's snapshot is only the truth as a whole: the version moves at its SYNCED.
    if (!this.relisting) this.advance(e.version);
  }

  private applyObject(e: Exclude<WatchEvent<ObjectOf<K, N>>, { type: 'SYNCED' }>): void {
    const previous = this.cache.get(e.key);
    if (e.type === 'DELETED') {
      if (!previous) return;
      this.cache.delete(e.key);
      this.changes.next({ type: 'DELETED', key: e.key, object: undefined, previous });
      return;
    }
    this.relisting?.add(e.key);
    if (previous && previous.version === e.object.version) return;
    this.cache.set(e.key, e.object);
    this.changes.next({ type: previous ? 'MODIFIED' : 'ADDED', key: e.key, object: e.object, previous });
  }

  /**
   * The cache now reflects `version`: recorded after the change is applied, so waiters see it. One
   * commit's several objects arrive as several events at the same version: each is announced (the
   * version again), or a waiter that needs all of them would never hear that the last one landed.
   */
  private advance(version: number): void {
    if (this.lastVersion !== undefined && version < this.lastVersion) return;
    this.lastVersion = version;
    this.versionSubject.next(version);
  }
}
