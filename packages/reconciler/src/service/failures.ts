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
 * How long before the newest stop already seen a task may have stopped and still be taken as new when
 * it is reported later: tasks stopped in one agent pass share a `stoppedAt` but reach the store one by
 * one, and agents on other hosts report a moment late.
 */
export const lateFailureWindowMs = 120_000;

/** A stopped task a cursor has seen. */
export interface SeenStop {
  readonly taskId: string;
  readonly stoppedAt: number;
}

/**
 * A cursor over task stops, kept with the record that counts or reports them: `through`, the newest
 * `stoppedAt` seen, and `recent`, the tasks seen that stopped within `lateFailureWindowMs` before it.
 * A stop is new when it is newer than `through`, or not long before it and not among `recent` — tasks do
 * not reach the store in `stoppedAt` order, so a watermark alone would skip a task reported after
 * another that stopped at the same moment. A cursor written before `recent` existed (through set,
 * recent undefined) keeps the watermark's rule.
 */
export class StoppedTaskCursor {
  private readonly lateFrom: number;
  private readonly since: number;
  private seen: ReadonlySet<string> | undefined;
  private readonly added: SeenStop[] = [];
  private newest: number | undefined;

  constructor(
    private readonly through: number | undefined,
    private readonly recent: readonly SeenStop[] | undefined,
  ) {
    this.since = through ?? Number.NEGATIVE_INFINITY;
    this.lateFrom =
      through !== undefined && recent === undefined ? this.since : this.since - lateFailureWindowMs;
    this.newest = through;
  }

  /** Whether the task's stop at `stoppedAt` has not been seen yet (its id is read only when needed). */
  isNew(task: Pick<Task, 'taskArn'>, stoppedAt: number): boolean {
    if (stoppedAt <= this.lateFrom) return false;
    if (stoppedAt > this.since) return true;
    this.seen ??= new Set((this.recent ?? []).map((r) => r.taskId));
    return !this.seen.has(taskIdOf(task.taskArn));
  }

  /** Records a task's stop as seen (call once per new stop). */
  see(task: Pick<Task, 'taskArn'>, stoppedAt: number): void {
    this.added.push({ taskId: taskIdOf(task.taskArn), stoppedAt });
    this.newest = Math.max(this.newest ?? stoppedAt, stoppedAt);
  }

  /** The cursor's state to keep: the very values it was given when nothing new was seen. */
  state(): { readonly through: number | undefined; readonly recent: readonly SeenStop[] | undefined } {
    if (this.added.length === 0 || this.newest === undefined)
      return { through: this.through, recent: this.recent };
    const keepFrom = this.newest - lateFailureWindowMs;
    return {
      through: this.newest,
      recent: [...(this.recent ?? []), ...this.added].filter((r) => r.stoppedAt > keepFrom),
    };
  }
}

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
  const cursor = new StoppedTaskCursor(d.failuresCountedThrough, d.failuresCountedRecently);
  let launch = d.launchFailures ?? 0;
  let health = d.healthFailures ?? 0;
  let stage = d.breakerStage ?? 1;
  for (const t of tasks) {
    if (t.startedBy !== d.id) continue;
    if (t.startedAt !== undefined) stage = 2;
    if (t.lastStatus !== 'STOPPED') continue;
    const at = t.stoppedAt ?? t.createdAt ?? 0;
    if (!cursor.isNew(t, at)) continue;
    if (failedToLaunch(t)) launch++;
    else if (failedAfterRunning(t)) health++;
    else continue;
    cursor.see(t, at);
  }
  const { through: countedThrough, recent: failuresCountedRecently } = cursor.state();
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
    ...(failuresCountedRecently !== undefined
      ? { failuresCountedRecently: [...failuresCountedRecently] }
      : {}),
    ...(healthyTaskIds !== undefined ? { healthyTaskIds } : {}),
  };
}

function sameIds(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A task event the throttle has counted: a start, or a failure to launch. */
interface ThrottleEvent {
  readonly taskId: string;
  readonly at: number;
  readonly failed: boolean;
}

/**
 * ECS's service throttle logic (developer guide, service-throttle-logic.html):
 * tasks of the current task definition that stop without ever RUNNING make the
 * next launch wait longer; updating the service to a new task definition
 * returns it to normal at once. A task that reaches RUNNING ends the run of
 * consecutive failures.
 *
 * The state is kept with the service, so it does not forget when old STOPPED
 * tasks leave their retention window. Task events do not reach the store in
 * time order (tasks stopped in one agent pass share a `stoppedAt` but are
 * written one by one; other hosts report late), so the state keeps the events
 * of the last `lateFailureWindowMs` (`recentEvents`, by task id) and the count
 * as of just before them (`baseFailures`): each pass replays base + recent +
 * the events it has not seen, in time order. A late failure then counts, once,
 * unless a start came after it; a late start resets only the failures before it.
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
  const recent: readonly ThrottleEvent[] = previous?.recentEvents ?? [];
  // A state written before recentEvents existed keeps the plain watermark.
  const lateFrom =
    previous !== undefined && previous.recentEvents === undefined ? since : since - lateFailureWindowMs;
  let seen: ReadonlySet<string> | undefined;
  const fresh: ThrottleEvent[] = [];
  for (const t of tasks) {
    if (t.taskDefinitionArn !== taskDefinitionArn) continue;
    let at: number;
    let failed: boolean;
    if (t.startedAt !== undefined) {
      at = t.startedAt;
      failed = false;
    } else if (failedToLaunch(t)) {
      at = t.stoppedAt ?? t.createdAt ?? 0;
      failed = true;
    } else continue;
    if (at <= lateFrom) continue;
    if (at <= since) {
      seen ??= new Set(recent.map((e) => e.taskId));
      if (seen.has(taskIdOf(t.taskArn))) continue;
    }
    fresh.push({ taskId: taskIdOf(t.taskArn), at, failed });
  }
  if (fresh.length === 0) return previous;
  const events = [...recent, ...fresh].sort((a, b) => a.at - b.at || Number(a.failed) - Number(b.failed));
  const newest = events[events.length - 1]!.at;
  const keepFrom = newest - lateFailureWindowMs;
  // Events older than the window fold into the base; a late event older than it is not taken.
  let base =
    previous === undefined
      ? 0
      : (previous.baseFailures ?? (previous.recentEvents ? 0 : previous.consecutiveFailures));
  let failures = base;
  let nextLaunchAt =
    previous?.recentEvents === undefined ? previous?.nextLaunchAt : previous.baseNextLaunchAt;
  let baseNextLaunchAt = nextLaunchAt;
  const kept: ThrottleEvent[] = [];
  for (const e of events) {
    if (e.failed) {
      failures++;
      nextLaunchAt = e.at + launchBackoffMs(failures);
    } else {
      failures = 0;
      nextLaunchAt = undefined;
    }
    if (e.at <= keepFrom) {
      base = failures;
      baseNextLaunchAt = nextLaunchAt;
    } else kept.push(e);
  }
  if (failures === 0) return undefined;
  return {
    taskDefinition: taskDefinitionArn,
    consecutiveFailures: failures,
    ...(nextLaunchAt !== undefined ? { nextLaunchAt } : {}),
    countedThrough: Math.max(since, newest),
    ...(base > 0 ? { baseFailures: base } : {}),
    ...(baseNextLaunchAt !== undefined && base > 0 ? { baseNextLaunchAt } : {}),
    recentEvents: kept,
  };
}
