export {
  type BatonKinds,
  batonKinds,
  type ScalingConfigurationRecord,
  serviceKey,
  taskDefinitionKey,
} from './baton-kinds.js';
export type { Entry } from './entry.js';
export {
  AlreadyExistsError,
  CompactedError,
  type ConflictDetails,
  ConflictError,
  CorruptDataError,
  InvalidArgumentError,
  InvalidObjectError,
  isPreconditionFailure,
  NotFoundError,
  StoreClosedError,
  StoreError,
  type StoreErrorCode,
  StoreLockedError,
  StoreUnavailableError,
  TransactionConflictError,
  UnencodableRecordError,
  WatchOverflowError,
} from './errors.js';
export {
  type AcquireResult,
  createEtcdStore,
  EtcdLeaseLock,
  type EtcdStore,
  type EtcdStoreOptions,
  EtcdUnavailableError,
  etcdStore,
  type FenceableStore,
  FencedError,
  isFenceable,
  type LockRecord,
  type WriteFence,
  withFence,
} from './etcd/index.js';
export {
  type AnyKind,
  defineKinds,
  type IndexFunction,
  type IndexName,
  type Kind,
  type KindDefinition,
  type KindMap,
  type KindName,
  kind,
  type ObjectOf,
} from './kinds.js';
export {
  createMemoryStore,
  type MemoryStore,
  type MemoryStoreOptions,
  type MemoryStoreStats,
} from './memory/memory-store.js';
export type {
  AnyOp,
  Change,
  CheckOp,
  CommitResult,
  CreateOp,
  DeleteOp,
  Op,
  OpResult,
  Recipe,
  SequenceOp,
  UpdateOp,
  WriteOptions,
} from './ops.js';
export type { DurableStats } from './persistence/durable-log.js';
export type { PersistenceHealth } from './persistence/health.js';
export type { PersistenceOptions } from './persistence/recovery.js';
export { type RepairReport, repairDurableLog } from './persistence/repair.js';
export type {
  ListOptions,
  ListResult,
  Store,
  Transaction,
  TransactionOptions,
  TransactionResult,
} from './store.js';
export {
  deleteTaskDefinition,
  deregisterTaskDefinition,
  findTaskDefinition,
  latestActiveTaskDefinition,
  registerTaskDefinition,
  revisionSequence,
} from './task-definitions.js';
export { runTransaction } from './transaction.js';
export type {
  AddedEvent,
  DeletedEvent,
  ModifiedEvent,
  ObjectEvent,
  SyncedEvent,
  WatchEvent,
  WatchFilter,
  WatchOptions,
} from './watch.js';
