// The etcd store and fencing, so an embedding service needs only 'baton-ecs' for a replicated setup.

// The loop every controller and task agent runs on (and its clock, logger and metrics), so users
// import ManualClock, ControllerLoop or Counters from 'baton-ecs' as well as from '@baton-ecs/loop'.
export {
  CacheSyncTimeoutError,
  type Clock,
  ControllerLoop,
  type ControllerLoopOptions,
  Counters,
  clockScheduler,
  durationBuckets,
  type HistogramSnapshot,
  jsonLogger,
  type Logger,
  type LogRecord,
  ManualClock,
  type ReconcileContext,
  type ReconcileOutcome,
  type ReconcileResult,
  type SyncedCache,
  silentLogger,
  systemClock,
  TerminalError,
  WorkQueue,
  type WorkQueueOptions,
} from '@baton-ecs/loop';
export {
  createEtcdStore,
  type EtcdStore,
  type EtcdStoreOptions,
  EtcdUnavailableError,
  etcdStore,
  FencedError,
  type WriteFence,
  withFence,
} from '@baton-ecs/store';
export { Baton, type BatonInternals, type BatonOptions, createBaton, type TaskStateChange } from './baton.js';
export * from './console/index.js';
export type { EcsFailure, RunTaskApiRequest } from './ecs-api.js';
export {
  type AccessKey,
  type ApiHandler,
  type ApiHandlerOptions,
  createApiHandler,
} from './endpoint/index.js';
export { BatonApiError, type EcsErrorCode } from './errors.js';
export { type CacheChange, Informer } from './informer.js';
export {
  agentLock,
  CONTROLLER_LOCK,
  catchUp,
  defaultIdentity,
  type ElectorCallbacks,
  isLockingStore,
  type LeaderElectionOptions,
  LeaderElector,
  type LeaderLock,
  type LeaderState,
  type LeaderTerm,
  type LockingStore,
  type WaitForCacheOptions,
  waitForCache,
} from './leader/index.js';
export * from './logs/index.js';
export { AutoScalingApi } from './scaling/auto-scaling-api.js';
export {
  CapacityController,
  type CapacityControllerOptions,
  type EngineProvider,
} from './scaling/capacity-controller.js';
export { ScalingController, type ScalingControllerOptions } from './scaling/scaling-controller.js';
export {
  type ParameterMetadata,
  parseEnvironmentFile,
  type RegistryAuth,
  type SecretMetadata,
  type SecretProviderFunction,
  type SecretRequest,
  SecretResolutionError,
  type SecretsApi,
  type SecretsOptions,
} from './secrets/index.js';
export { sensitiveHostPaths, type WorkloadSecurityOptions, workloadPolicyIssues } from './security-policy.js';
export {
  ServiceController,
  type ServiceControllerOptions,
  type ServiceEventNotice,
  type ServicePlanNotice,
} from './service-controller.js';
export type { BatonHealth } from './store-health.js';
export * from './target-groups/index.js';
export type { BatonInformers } from './wiring.js';
export { batchedAgentStore, WriteBatcher, type WriteBatcherOptions } from './write-batcher.js';
