export { EtcdUnavailableError, FencedError } from './errors.js';
export { createEtcdStore, type EtcdStore, type EtcdStoreOptions, etcdStore } from './etcd-store.js';
export { type FenceableStore, isFenceable, type WriteFence, withFence } from './fence.js';
export { type AcquireResult, EtcdLeaseLock, type LockRecord } from './lease-lock.js';
