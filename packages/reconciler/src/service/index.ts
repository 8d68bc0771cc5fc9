export type { Classification, ClassifiedTask } from './classify.js';
export { classifyTasks } from './classify.js';
export * from './deployment-limits.js';
export {
  describedDeployments,
  ensurePrimaryDeployment,
  pruneDeployments,
  rollBackTo,
  rollbackTarget,
} from './deployments.js';
export {
  advanceDeploymentFailures,
  circuitBreakerReasons,
  circuitBreakerVerdict,
  failedAfterRunning,
  failedToLaunch,
  lateFailureWindowMs,
  launchThrottle,
} from './failures.js';
export { newDeploymentId, newEventId, newTaskId, taskIdOf } from './ids.js';
export * from './launch-throttle.js';
export { defaultSubnetId, eniAttachment, newTask } from './new-task.js';
export { resolveServiceTaskDefinition } from './pass.js';
export * from './plan.js';
export { reconcileService } from './reconcile-service.js';
export { planRunTask, type RunTaskPlan, type RunTaskRequest } from './run-task.js';
export * from './service-events.js';
export { steadyPlan } from './steady.js';
export * from './task-health.js';
