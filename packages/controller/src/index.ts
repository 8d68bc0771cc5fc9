// The etcd store and fencing, so an embedding service needs only 'baton-ecs' for a replicated setup.
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
export { type Clock, clockScheduler, ManualClock, systemClock } from './clock.js';
export * from './console/index.js';
export {
  CacheSyncTimeoutError,
  ControllerLoop,
  type ControllerLoopOptions,
  type ReconcileContext,
  type ReconcileOutcome,
  type ReconcileResult,
  type SyncedCache,
  TerminalError,
} from './controller-loop.js';
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
export {
  Counters,
  durationBuckets,
  type HistogramSnapshot,
  jsonLogger,
  type Logger,
  type LogRecord,
  silentLogger,
} from './observability.js';
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
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
export { batchedAgentStore, WriteBatcher, type WriteBatcherOptions } from './write-batcher.js';
