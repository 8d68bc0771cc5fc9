import type { Entry } from '../entry.js';
import type { IndexName, KindMap, KindName, ObjectOf } from '../kinds.js';
import type { Change, CommitResult, Op, WriteOptions } from '../ops.js';
import type {
  ListOptions,
  ListResult,
  Store,
  Transaction,
  TransactionOptions,
  TransactionResult,
} from '../store.js';
import { runTransaction } from '../transaction.js';
import type { WatchFilter, WatchOptions } from '../watch.js';

/**
 * A guard every write of a fenced store carries: the lock key still exists with the creation
 * revision it had when leadership was won. A key bound to an etcd lease disappears when the
 * lease lapses, and a new leader re-creates it at a new revision, so a write made under an old
 * leadership — however late it arrives — fails the compare and changes nothing.
 */
export interface WriteFence {
  /** The lock key (the full etcd key). */
  readonly key: string;
  /** Its creation revision when the holder won it (decimal, as etcd reports revisions). */
  readonly createRevision: string;
  /** For errors: what the fence protects, e.g. `leadership of "service-controller" held by replica-a`. */
  readonly description: string;
}

/** A store that can attach a fence to its writes (the etcd backend). */
export interface FenceableStore<K extends KindMap> extends Store<K> {
  /** A view of this store whose every write also requires `fence` to hold. */
  withFence(fence: WriteFence): Store<K>;
}

export function isFenceable<K extends KindMap>(store: Store<K>): store is FenceableStore<K> {
  return typeof (store as Partial<FenceableStore<K>>).withFence === 'function';
}

/**
 * The store a single-writer loop should write through while it holds `fence`. Backends that live
 * in one process (memory) have no one to fence off and return the store itself.
 */
export function withFence<K extends KindMap>(store: Store<K>, fence: WriteFence | undefined): Store<K> {
  return fence && isFenceable(store) ? store.withFence(fence) : store;
}

/** What a fenced view needs from its backend: a commit that carries the fence. */
export interface FencedCommitter<K extends KindMap> {
  commitFenced(ops: readonly Op<K>[], fence: WriteFence): Promise<CommitResult>;
}

/**
 * Reads and watches go to the backend unchanged; every write becomes a fenced commit. Closing the
 * view does not close the backend (the view is a handle for one leadership term).
 */
export class FencedStore<K extends KindMap> implements Store<K> {
  constructor(
    private readonly base: Store<K> & FencedCommitter<K>,
    readonly fence: WriteFence,
  ) {}

  get kinds(): K {
    return this.base.kinds;
  }

  get<N extends KindName<K>>(kind: N, key: string): Promise<Entry<ObjectOf<K, N>> | undefined> {
    return this.base.get(kind, key);
  }

  list<N extends KindName<K>>(
    kind: N,
    options?: ListOptions<IndexName<K, N>>,
  ): Promise<ListResult<ObjectOf<K, N>>> {
    return this.base.list(kind, options);
  }

  version(): Promise<number> {
    return this.base.version();
  }

  async create<N extends KindName<K>>(kind: N, object: ObjectOf<K, N>): Promise<Entry<ObjectOf<K, N>>> {
    const { results } = await this.commit([{ op: 'create', kind, object } as Op<K>]);
    return results[0] as Entry<ObjectOf<K, N>>;
  }

  async update<N extends KindName<K>>(
    kind: N,
    key: string,
    change: Change<ObjectOf<K, N>>,
    options?: WriteOptions,
  ): Promise<Entry<ObjectOf<K, N>>> {
    const op = { op: 'update', kind, key, change, ifVersion: options?.ifVersion } as Op<K>;
    const { results } = await this.commit([op]);
    return results[0] as Entry<ObjectOf<K, N>>;
  }

  async delete<N extends KindName<K>>(
    kind: N,
    key: string,
    options?: WriteOptions,
  ): Promise<Entry<ObjectOf<K, N>>> {
    const { results } = await this.commit([
      { op: 'delete', kind, key, ifVersion: options?.ifVersion } as Op<K>,
    ]);
    return results[0] as Entry<ObjectOf<K, N>>;
  }

  commit(ops: readonly Op<K>[]): Promise<CommitResult> {
    return this.base.commitFenced(ops, this.fence);
  }

  transaction<R>(
    fn: (tx: Transaction<K>) => R | Promise<R>,
    options?: TransactionOptions,
  ): Promise<TransactionResult<R>> {
    return runTransaction(this, fn, options);
  }

  sequence(name: string): Promise<number> {
    return this.base.sequence(name);
  }

  async nextSequence(name: string): Promise<number> {
    // Same contract as the backend's: read, then advance with a compare-and-set, retrying on races.
    for (let attempt = 0; ; attempt++) {
      const current = await this.base.sequence(name);
      try {
        const { results } = await this.commit([
          { op: 'sequence', name, ifValue: current, value: current + 1 },
        ]);
        return results[0] as number;
      } catch (err) {
        if (attempt >= 100 || (err as { code?: unknown }).code !== 'CONFLICT') throw err;
      }
    }
  }

  watch<N extends KindName<K>>(filter: WatchFilter<N, IndexName<K, N>>, options?: WatchOptions) {
    return this.base.watch(filter, options);
  }

  async close(): Promise<void> {}
}
