import type { Deployment, Service, Task } from '@baton-ecs/model';
import { launchBackoffMs } from './launch-throttle.js';
import { stoppedReasons } from './task-health.js';

/** Stops that are not the task's own failure: they neither trip the breaker nor throttle launches. */
const schedulerStops = new Set(['UserInitiated', 'ServiceSchedulerInitiated', 'InfrastructureHealth']);

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
 * Advances a deployment's circuit-breaker counts by the task events of this
 * pass (API reference DeploymentCircuitBreaker; developer guide
 * deployment-circuit-breaker.html):
 * - stage 1 counts tasks that stopped before reaching RUNNING; once any task
 *   of the deployment has run, stage 2 counts tasks that ran and then failed
 *   their health checks or exited;
 * - each failed task is counted once, when it is first seen STOPPED (newer
 *   than `failuresCountedThrough`), so counts survive the removal of old
 *   STOPPED tasks;
 * - with `resetOnHealthyTask` (default true), a task that reaches a healthy
 *   state resets the failure count to 0.
 * `healthyIds` are the short ids of the deployment's live tasks that count as
 * healthy now; pass undefined when resets are not tracked. Returns `d` itself
 * when nothing changed.
 */
export function advanceDeploymentFailures(
  d: Deployment,
  tasks: readonly Task[],
  healthyIds: readonly string[] | undefined,
): Deployment {
  const since = d.failuresCountedThrough ?? Number.NEGATIVE_INFINITY;
  let launch = d.launchFailures ?? 0;
  let health = d.healthFailures ?? 0;
  let stage = d.breakerStage ?? 1;
  let countedThrough = d.failuresCountedThrough;
  for (const t of tasks) {
    if (t.startedBy !== d.id) continue;
    if (t.startedAt !== undefined) stage = 2;
    if (t.lastStatus !== 'STOPPED') continue;
    const at = t.stoppedAt ?? t.createdAt ?? 0;
    if (at <= since) continue;
    if (failedToLaunch(t)) launch++;
    else if (failedAfterRunning(t)) health++;
    else continue;
    countedThrough = Math.max(countedThrough ?? at, at);
  }
  let healthyTaskIds = d.healthyTaskIds;
  if (healthyIds !== undefined) {
    const before = new Set(d.healthyTaskIds ?? []);
    if (healthyIds.some((id) => !before.has(id))) {
      launch = 0;
      health = 0;
    }
    healthyTaskIds = sameIds(d.healthyTaskIds, healthyIds) ? d.healthyTaskIds : [...healthyIds];
  } else healthyTaskIds = undefined;
  if (
    launch === (d.launchFailures ?? 0) &&
    health === (d.healthFailures ?? 0) &&
    stage === (d.breakerStage ?? 1) &&
    countedThrough === d.failuresCountedThrough &&
    healthyTaskIds === d.healthyTaskIds &&
    d.failedTasks === launch + health
  ) {
    return d;
  }
  const {
    launchFailures: _l,
    healthFailures: _h,
    breakerStage: _s,
    failuresCountedThrough: _c,
    healthyTaskIds: _i,
    ...rest
  } = d;
  return {
    ...rest,
    failedTasks: launch + health,
    ...(launch > 0 ? { launchFailures: launch } : {}),
    ...(health > 0 ? { healthFailures: health } : {}),
    ...(stage === 2 ? { breakerStage: 2 as const } : {}),
    ...(countedThrough !== undefined ? { failuresCountedThrough: countedThrough } : {}),
    ...(healthyTaskIds !== undefined ? { healthyTaskIds } : {}),
  };
}

function sameIds(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
