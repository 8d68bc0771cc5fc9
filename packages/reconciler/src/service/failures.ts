import type { Deployment, Service, Task } from '@baton/model';
import { launchBackoffMs } from './launch-throttle.js';
import { stoppedReasons } from './task-health.js';

const schedulerStops = new Set(['UserInitiated', 'ServiceSchedulerInitiated']);

/** A task that stopped on its own before it ever ran (circuit breaker stage 1, throttling). */
export function failedToLaunch(task: Task): boolean {
  return (
    task.lastStatus === 'STOPPED' &&
    task.startedAt === undefined &&
    (task.stopCode === undefined || !schedulerStops.has(task.stopCode))
  );
}

/** A task that ran, then exited or failed its health checks (circuit breaker stage 2). */
export function failedAfterRunning(task: Task): boolean {
  if (task.lastStatus !== 'STOPPED' || task.startedAt === undefined) return false;
  if (task.stopCode === 'EssentialContainerExited' || task.stopCode === 'TaskFailedToStart') return true;
  const reason = task.stoppedReason ?? '';
  return (
    reason.startsWith(stoppedReasons.containerHealth) || reason.startsWith('Task failed ELB health checks')
  );
}

/**
 * Failure counts of a deployment, never decreasing: stopped tasks are
 * eventually removed from the store, but what they taught is kept.
 */
export function deploymentFailures(
  deployment: Deployment,
  tasks: readonly Task[],
): {
  readonly launchFailures: number;
  readonly healthFailures: number;
  /** Stage 2 once any of its tasks has run. */
  readonly stage: 1 | 2;
} {
  let launch = 0;
  let health = 0;
  let ran = false;
  for (const t of tasks) {
    if (t.startedBy !== deployment.id) continue;
    if (t.startedAt !== undefined) ran = true;
    if (failedToLaunch(t)) launch++;
    else if (failedAfterRunning(t)) health++;
  }
  return {
    launchFailures: Math.max(launch, deployment.launchFailures ?? 0),
    healthFailures: Math.max(health, deployment.healthFailures ?? 0),
    stage: ran || (deployment.healthFailures ?? 0) > 0 ? 2 : 1,
  };
}

/**
 * ECS's throttling: consecutive launch failures of the current task
 * definition, newest first, up to the last task that did start.
 */
export function launchThrottle(
  service: Service,
  taskDefinitionArn: string,
  tasks: readonly Task[],
): NonNullable<Service['launchThrottle']> | undefined {
  // The common case, cheaply: nothing of this revision ever failed to launch.
  if (
    service.launchThrottle === undefined &&
    !tasks.some((t) => t.taskDefinitionArn === taskDefinitionArn && failedToLaunch(t))
  ) {
    return undefined;
  }
  const ofRevision = tasks
    .filter(
      (t) =>
        t.taskDefinitionArn === taskDefinitionArn &&
        (t.lastStatus === 'STOPPED' || t.startedAt !== undefined),
    )
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  let failures = 0;
  let lastFailureAt = 0;
  for (const t of ofRevision) {
    if (t.startedAt !== undefined) break;
    if (!failedToLaunch(t)) continue;
    failures++;
    lastFailureAt = Math.max(lastFailureAt, t.stoppedAt ?? t.createdAt ?? 0);
  }
  let nextLaunchAt = lastFailureAt + launchBackoffMs(failures);
  const previous = service.launchThrottle;
  // A new task definition resets the count; stopped tasks that were cleaned up do not.
  if (
    previous &&
    previous.taskDefinition === taskDefinitionArn &&
    ofRevision.every((t) => t.startedAt === undefined)
  ) {
    if (previous.consecutiveFailures >= failures) {
      failures = previous.consecutiveFailures;
      nextLaunchAt = Math.max(nextLaunchAt, previous.nextLaunchAt ?? 0);
    }
  }
  if (failures === 0) return undefined;
  return { taskDefinition: taskDefinitionArn, consecutiveFailures: failures, nextLaunchAt };
}
