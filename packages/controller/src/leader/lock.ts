import type { AcquireResult, KindMap, LockRecord, Store, WriteFence } from '@baton-ecs/store';

/**
 * The lease-backed lock an elector campaigns for (the etcd store's `leaseLock(name)` is one): a key
 * that exists only while its holder's lease is alive, re-created at a new revision by each new
 * holder, so that writes fenced on it (`fence`) are refused once the holder has lost it.
 */
export interface LeaderLock {
  readonly name: string;
  grant(ttlSeconds: number): Promise<string>;
  /** Remaining TTL in seconds after renewing; ≤ 0 when the lease is gone. */
  renew(lease: string, timeoutMs: number): Promise<number>;
  tryAcquire(lease: string, identity: string): Promise<AcquireResult>;
  holder(): Promise<LockRecord | undefined>;
  release(lease: string): Promise<void>;
  fence(record: LockRecord): WriteFence;
  close(): void;
}

/** A store that can hand out leader locks (the etcd backend). */
export interface LockingStore {
  leaseLock(name: string): LeaderLock;
}

export function isLockingStore<K extends KindMap>(store: Store<K>): store is Store<K> & LockingStore {
  return typeof (store as Partial<LockingStore>).leaseLock === 'function';
}
