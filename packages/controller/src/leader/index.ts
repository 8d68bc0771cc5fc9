export {
  agentLock,
  BatonHa,
  type BatonHaOptions,
  type BatonInformers,
  CONTROLLER_LOCK,
  type ControllerInformers,
} from './baton-ha.js';
export { catchUp, termInformer, type WaitForCacheOptions, waitForCache } from './caches.js';
export {
  defaultIdentity,
  type ElectorCallbacks,
  type LeaderElectionOptions,
  LeaderElector,
  type LeaderState,
  type LeaderTerm,
} from './elector.js';
export { isLockingStore, type LeaderLock, type LockingStore } from './lock.js';
