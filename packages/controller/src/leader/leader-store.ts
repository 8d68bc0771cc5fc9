import {
  type Change,
  type CommitResult,
  type Entry,
  FencedError,
  type IndexName,
  type KindMap,
  type KindName,
  type ListOptions,
  type ListResult,
  type ObjectOf,
  type Op,
  runTransaction,
  type Store,
  type Transaction,
  type TransactionOptions,
  type TransactionResult,
  type WatchFilter,
  type WatchOptions,
  type WriteFence,
  type WriteOptions,
  withFence,
} from '@baton-ecs/store';

/**
 * A store whose writes land only while this replica leads: each commit carries the fence of the
 * current term, and with no term it is refused at once (a FencedError, nothing sent to etcd).
 * For loops that run on every replica to keep their own state warm (target-group health probes,
 * metric windows) but must have a single writer.
 */
export class LeaderStore<K extends KindMap> implements Store<K> {
  constructor(
    private readonly base: Store<K>,
    private readonly currentFence: () => WriteFence | undefined,
    private readonly lock: string,
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

  sequence(name: string): Promise<number> {
    return this.base.sequence(name);
  }

  watch<N extends KindName<K>>(filter: WatchFilter<N, IndexName<K, N>>, options?: WatchOptions) {
    return this.base.watch(filter, options);
  }

  create<N extends KindName<K>>(kind: N, object: ObjectOf<K, N>): Promise<Entry<ObjectOf<K, N>>> {
    return this.fenced().then((s) => s.create(kind, object));
  }

  update<N extends KindName<K>>(
    kind: N,
    key: string,
    change: Change<ObjectOf<K, N>>,
    options?: WriteOptions,
  ): Promise<Entry<ObjectOf<K, N>>> {
    return this.fenced().then((s) => s.update(kind, key, change, options));
  }

  delete<N extends KindName<K>>(
    kind: N,
    key: string,
    options?: WriteOptions,
  ): Promise<Entry<ObjectOf<K, N>>> {
    return this.fenced().then((s) => s.delete(kind, key, options));
  }

  commit(ops: readonly Op<K>[]): Promise<CommitResult> {
    return this.fenced().then((s) => s.commit(ops));
  }

  nextSequence(name: string): Promise<number> {
    return this.fenced().then((s) => s.nextSequence(name));
  }

  transaction<R>(
    fn: (tx: Transaction<K>) => R | Promise<R>,
    options?: TransactionOptions,
  ): Promise<TransactionResult<R>> {
    return runTransaction(this, fn, options);
  }

  /** Closing the view leaves the store open. */
  async close(): Promise<void> {}

  private async fenced(): Promise<Store<K>> {
    const fence = this.currentFence();
    if (!fence) throw new FencedError(`the lock "${this.lock}"`, 'this replica does not hold it');
    return withFence(this.base, fence);
  }
}
