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
 * ECS's service throttle logic (developer guide, service-throttle-logic.html):
 * tasks of the current task definition that stop without ever RUNNING make the
 * next launch wait longer; updating the service to a new task definition
 * returns it to normal at once. The state is kept with the service and only
 * ever advanced by task events newer than `countedThrough`, so it does not
 * forget when old STOPPED tasks leave their retention window. A task that
 * reaches RUNNING ends the run of consecutive failures.
 */
export function launchThrottle(
  service: Service,
  taskDefinitionArn: string,
  tasks: readonly Task[],
): NonNullable<Service['launchThrottle']> | undefined {
  // A new task definition (a new deployment) starts from nothing.
  const previous =
    service.launchThrottle?.taskDefinition === taskDefinitionArn ? service.launchThrottle : undefined;
  // The common case, cheaply: nothing of this revision ever failed to launch.
  if (
    previous === undefined &&
    !tasks.some((t) => t.taskDefinitionArn === taskDefinitionArn && failedToLaunch(t))
  ) {
    return undefined;
  }
  const since = previous?.countedThrough ?? Number.NEGATIVE_INFINITY;
  const fresh: { at: number; failed: boolean }[] = [];
  for (const t of tasks) {
    if (t.taskDefinitionArn !== taskDefinitionArn) continue;
    if (t.startedAt !== undefined && t.startedAt > since) fresh.push({ at: t.startedAt, failed: false });
    else if (failedToLaunch(t)) {
      const at = t.stoppedAt ?? t.createdAt ?? 0;
      if (at > since) fresh.push({ at, failed: true });
    }
  }
  if (fresh.length === 0) return previous;
  fresh.sort((a, b) => a.at - b.at || Number(a.failed) - Number(b.failed));
  let failures = previous?.consecutiveFailures ?? 0;
  let nextLaunchAt = previous?.nextLaunchAt;
  let countedThrough = since;
  for (const e of fresh) {
    countedThrough = Math.max(countedThrough, e.at);
    if (e.failed) {
      failures++;
      nextLaunchAt = e.at + launchBackoffMs(failures);
    } else {
      failures = 0;
      nextLaunchAt = undefined;
    }
  }
  if (failures === 0) return undefined;
  return {
    taskDefinition: taskDefinitionArn,
    consecutiveFailures: failures,
    ...(nextLaunchAt !== undefined ? { nextLaunchAt } : {}),
    countedThrough,
  };
}
