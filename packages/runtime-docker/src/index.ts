export {
  type AgentStore,
  agentKinds,
  type StoreAgentStoreOptions,
  type StoreLike,
  storeAgentStore,
  type Versioned,
} from './agent-store.js';
export { type ContainerConfigOptions, toCreateOptions } from './container-config.js';
export type {
  ContainerEngine,
  EngineEvent,
  EngineInfo,
  EngineLogLine,
  EngineLogOptions,
} from './container-engine.js';
export {
  type ContainerInjection,
  type ContainerInjector,
  InjectionError,
  withInjection,
} from './container-injection.js';
export { DockerRuntime, type DockerRuntimeOptions, type EngineSpec } from './docker-runtime.js';
export {
  canonicalEndpoint,
  dockerOptions,
  type EngineConnection,
  type EngineSsh,
  type EngineTls,
  engineFromDockerEnvironment,
  insecureEndpointWarning,
  isInsecureEndpoint,
  isLoopback,
} from './endpoint.js';
export { DockerEngine, type DockerEngineOptions } from './engine.js';
export {
  EngineError,
  EngineSecurityError,
  type EngineSecurityReason,
  engineMessage,
  engineStatus,
} from './engine-error.js';
export { type NetworkSpec, nextSubnet } from './engine-networks.js';
export { ActionExecutor, actionKey, type ExecutorOptions } from './executor.js';
export { type ImagePinner, type PinnedImage, registryImagePinner } from './image-pinning.js';
export { InstanceAgent, type InstanceAgentOptions, type InstanceAgentStatus } from './instance-agent.js';
export {
  agentVersion,
  containerInstanceArnOf,
  ecsArchitecture,
  type InstanceRegistration,
  instanceAttributes,
  instanceRecord,
  registeredResources,
} from './instance-record.js';
export { checkKnownHost, type KnownHostsVerdict } from './known-hosts.js';
export { demuxLogs } from './log-frames.js';
export { dockerTime, fromInspect, portBindings } from './observe.js';
export { hasPauseProgram, pauseExecutable, pauseImageTarball } from './pause-image.js';
