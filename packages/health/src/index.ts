// Health monitoring. The pure half: target health as a state machine, and ECS's rules for container
// and task health (re-exported from @baton-ecs/reconciler). The I/O half: HTTP and TCP probes, and a
// monitor that checks many targets on an injected RxJS scheduler with bounded concurrency.
// Instance heartbeats are the runtime's (`InstanceAgent` in @baton-ecs/runtime-docker: a ping every
// heartbeatIntervalMs; no answer → agentConnected=false, agentDisconnectedAt), not repeated here.
export { defaultHealthCheck, type HealthCheckSpec, healthCheckSpec, sameCheck } from './check.js';
export {
  HealthMonitor,
  type HealthMonitorOptions,
  type MonitoredTarget,
  type TargetHealthChange,
} from './monitor.js';
export { defaultProber, httpProbe, type Prober, type ProbeTarget, tcpProbe } from './probes.js';
export * from './rules.js';
export {
  defaultThresholds,
  drainComplete,
  drainingTarget,
  type HealthThresholds,
  nextTargetHealth,
  type ProbeOutcome,
  probeFailures,
  reasonDescriptions,
  registeredTarget,
  type TargetHealthReason,
  type TargetHealthState,
  unusedTarget,
} from './target-health.js';
