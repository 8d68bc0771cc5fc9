import type { Deployment, Service, Task } from '@baton-ecs/model';
import { taskIdOf } from './ids.js';
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
 * How long before the newest counted failure a task may have stopped and still be counted when it is
 * reported later: tasks stopped in one agent pass share a `stoppedAt` but reach the store one by one,
 * and agents on other hosts report a moment late.
 */
export const lateFailureWindowMs = 120_000;

/** ECS's rolloutStateReason for a deployment the circuit breaker failed, by the breaker's stage. */
export const circuitBreakerReasons = {
  failedToStart: 'ECS deployment circuit breaker: tasks failed to start.',
  failedHealthChecks: 'ECS deployment circuit breaker: tasks failed health checks.',
} as const;

/**
 * The circuit breaker's verdict on a deployment: ECS's rolloutStateReason once its failed tasks reach
 * `threshold`, else undefined. The count is the deployment's one `failedTasks` (API reference,
 * Deployment.failedTasks: "A task is considered a failure if the service scheduler can't launch the
 * task, the task doesn't transition to a RUNNING state, or if it fails any of its defined health checks
 * and is stopped"), whichever way each task failed; the stage only picks the reason. A container that
 * exits at once makes some tasks stop before the agent saw them RUNNING and others just after, so
 * counting each stage apart let such a deployment launch up to twice the threshold.
 */
export function circuitBreakerVerdict(d: Deployment, threshold: number): string | undefined {
  if (d.failedTasks < threshold) return undefined;
  return (d.breakerStage ?? 1) === 1
    ? circuitBreakerReasons.failedToStart
    : circuitBreakerReasons.failedHealthChecks;
}

/**
 * Advances a deployment's circuit-breaker counts by the task events of this
 * pass (API reference DeploymentCircuitBreaker; developer guide
 * deployment-circuit-breaker.html):
 * - a failed task is one that stopped before reaching RUNNING (`launchFailures`)
 *   or ran and then failed its health checks or exited (`healthFailures`);
 *   `failedTasks` is their sum, what the breaker compares with its threshold;
 * - the stage is 2 once any task of the deployment has run (it picks the reason);
 * - each failed task is counted once, when it is first seen STOPPED: newer than
 *   `failuresCountedThrough`, or not long before it and not among
 *   `failuresCountedRecently` — tasks do not reach the store in `stoppedAt`
 *   order — so counts survive the removal of old STOPPED tasks;
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
  // A deployment counted before the recent list existed recorded only its watermark.
  const lateFrom =
    d.failuresCountedThrough !== undefined && d.failuresCountedRecently === undefined
      ? since
      : since - lateFailureWindowMs;
  const recent = d.failuresCountedRecently ?? [];
  const counted = new Set(recent.map((r) => r.taskId));
  let launch = d.launchFailures ?? 0;
  let health = d.healthFailures ?? 0;
  let stage = d.breakerStage ?? 1;
  let countedThrough = d.failuresCountedThrough;
  const newlyCounted: { taskId: string; stoppedAt: number }[] = [];
  for (const t of tasks) {
    if (t.startedBy !== d.id) continue;
    if (t.startedAt !== undefined) stage = 2;
    if (t.lastStatus !== 'STOPPED') continue;
    const at = t.stoppedAt ?? t.createdAt ?? 0;
    if (at <= lateFrom) continue;
    const taskId = taskIdOf(t.taskArn);
    if (at <= since && counted.has(taskId)) continue;
    if (failedToLaunch(t)) launch++;
    else if (failedAfterRunning(t)) health++;
    else continue;
    newlyCounted.push({ taskId, stoppedAt: at });
    countedThrough = Math.max(countedThrough ?? at, at);
  }
  let failuresCountedRecently = d.failuresCountedRecently;
  if (newlyCounted.length > 0 && countedThrough !== undefined) {
    const keepFrom = countedThrough - lateFailureWindowMs;
    failuresCountedRecently = [...recent, ...newlyCounted].filter((r) => r.stoppedAt > keepFrom);
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
    failuresCountedRecently === d.failuresCountedRecently &&
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
    failuresCountedRecently: _r,
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
    ...(failuresCountedRecently !== undefined ? { failuresCountedRecently } : {}),
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
