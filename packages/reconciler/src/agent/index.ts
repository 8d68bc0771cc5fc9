export { containerArnOf, containerReasons, networkBindings } from './container-record.js';
export { containerSpec, effectiveContainerDefinition, labelledStopTimeout } from './container-spec.js';
export { type DependencyState, dependencyState } from './dependencies.js';
export { agentStoppedReasons, type StopCause } from './failures.js';
export { aggregateHealth, containerHealth, taskHealth } from './health.js';
export { hasImage, normalizeImageRef } from './images.js';
export {
  batonLabels,
  containerEngineName,
  containerLabels,
  isBatonContainer,
  ownedBy,
  serviceNameOf,
} from './labels.js';
export {
  awslogsEngineDriver,
  type ContainerLogConfig,
  type ContainerLogSpec,
  containerLogSpec,
  firelensTag,
  firelensTaskDir,
  withLogRouterOrder,
} from './log-config.js';
export { diffStatus, reconcileInstance } from './reconcile-instance.js';
export { agentSettings, defaultAgentSettings } from './settings.js';
export {
  isPauseContainer,
  needsPauseContainer,
  pauseContainerName,
  pauseContainerSpec,
  pauseEngineName,
  subnetNetworkLabel,
  subnetNetworkName,
  subnetOf,
  withPauseContainer,
} from './task-network.js';
export { startDependencies } from './task-plan.js';
export {
  type ResolvedVolume,
  resolveVolume,
  type TaskVolumes,
  taskVolumeEngineName,
  taskVolumes,
  volumeStoppedReasons,
} from './task-volumes.js';
export type * from './types.js';
