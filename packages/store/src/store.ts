import type { Observable } from 'rxjs';
import type { Entry } from './entry.js';
import type { IndexName, KindMap, KindName, ObjectOf } from './kinds.js';
import type { Change, CommitResult, Op, WriteOptions } from './ops.js';
import type { WatchEvent, WatchFilter, WatchOptions } from './watch.js';

export interface ListOptions<I extends string = string> {
  /** With `value`: only objects whose index function returns `value`. */
  readonly index?: I;
  readonly value?: string;
  /** Only keys starting with this prefix. */
  readonly prefix?: string;
}

export interface ListResult<T> {
  /** Sorted by key (UTF-16 code unit order). */
  readonly items: readonly Entry<T>[];
  /** The store version the list is consistent with. */
  readonly version: number;
}

export interface TransactionOptions {
  /** Attempts before giving up with TransactionConflictError. Default 10. */
  readonly maxAttempts?: number;
  /** Delay before attempt n (n ≥ 2), in ms. Default: none for the 2nd, then jittered exponential up to 100 ms. */
  readonly backoff?: (attempt: number) => number;
}

export interface TransactionResult<R> {
  readonly result: R;
  /** Version of the commit (or the store version the reads were validated at, if nothing was written). */
  readonly version: number;
  readonly attempts: number;
}

/**
 * A transaction's view of the store: reads record the versions they saw, writes are buffered,
 * and reads see the transaction's own buffered writes. Entries for keys written earlier in the
 * same transaction are provisional: `object` is the buffered object, version fields are those of
 * the last committed state (0 when not yet created).
 */
export interface Transaction<K extends KindMap> {
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  get<N extends KindName<K>>(kind: N, key: string): Promise<Entry<ObjectOf<K, N>> | undefined>;
  list<N extends KindName<K>>(
    kind: N,
    options?: ListOptions<IndexName<K, N>>,
  ): Promise<readonly Entry<ObjectOf<K, N>>[]>;
  /** Fails at once with AlreadyExistsError if the key exists in the transaction's view. */
  create<N extends KindName<K>>(kind: N, object: ObjectOf<K, N>): Promise<ObjectOf<K, N>>;
  /** Fails at once with NotFoundError if the key is absent in the transaction's view. */
  update<N extends KindName<K>>(
    kind: N,
    key: string,
    change: Change<ObjectOf<K, N>>,
  ): Promise<ObjectOf<K, N>>;
  delete<N extends KindName<K>>(kind: N, key: string): Promise<void>;
  /** The next value of a sequence; committed atomically with the transaction's writes. */
  nextSequence(name: string): Promise<number>;
}

/**
 * The contract every backend implements (memory, durable memory, etcd). All methods are async;
 * the memory backend applies writes synchronously at call time.
 */
export interface Store<K extends KindMap> {
  readonly kinds: K;

  get<N extends KindName<K>>(kind: N, key: string): Promise<Entry<ObjectOf<K, N>> | undefined>;
  list<N extends KindName<K>>(
    kind: N,
    options?: ListOptions<IndexName<K, N>>,
  ): Promise<ListResult<ObjectOf<K, N>>>;
  /** The version of the last commit (0 for an empty store). */
  version(): Promise<number>;

  create<N extends KindName<K>>(kind: N, object: ObjectOf<K, N>): Promise<Entry<ObjectOf<K, N>>>;
  update<N extends KindName<K>>(
    kind: N,
    key: string,
    change: Change<ObjectOf<K, N>>,
    options?: WriteOptions,
  ): Promise<Entry<ObjectOf<K, N>>>;
  /** Resolves to the deleted entry. */
  delete<N extends KindName<K>>(kind: N, key: string, options?: WriteOptions): Promise<Entry<ObjectOf<K, N>>>;

  /**
   * Applies all ops atomically at one new version, or none of them. Every precondition is
   * evaluated against the state before the commit; a key may be written by at most one op.
   */
  commit(ops: readonly Op<K>[]): Promise<CommitResult>;

  /** Optimistic transaction: `fn` may run several times, so it must not have side effects. */
  transaction<R>(
    fn: (tx: Transaction<K>) => R | Promise<R>,
    options?: TransactionOptions,
  ): Promise<TransactionResult<R>>;

  /** Current value of a sequence (0 if never advanced). */
  sequence(name: string): Promise<number>;
  /** Atomically advances a sequence by one and returns the new value. */
  nextSequence(name: string): Promise<number>;

  /** Cold observable: each subscription is an independent watch. */
  watch<N extends KindName<K>>(
    filter: WatchFilter<N, IndexName<K, N>>,
    options?: WatchOptions,
  ): Observable<WatchEvent<ObjectOf<K, N>>>;

  /** Completes every watch, waits for pending writes to be durable, releases resources. Idempotent. */
  close(): Promise<void>;
}
