import {
  type ContainerDefinition,
  type ContainerDependency,
  type Task,
  type TaskDefinition,
  type TaskStatus,
  taskStatusRank,
} from '@baton-ecs/model';
import { containerRecord, networkBindings } from './container-record.js';
import { containerSpec, gpusOf, labelledStopTimeout } from './container-spec.js';
import { dependentsOf } from './container-view.js';
import { dependencyState } from './dependencies.js';
import {
  agentStoppedReasons,
  type FailureContext,
  failedToStart,
  imageReadiness,
  type StopCause,
  stopCause,
} from './failures.js';
import { taskHealth } from './health.js';
import { containerPortSpecs } from './port-mappings.js';
import { shouldRestart } from './restart.js';
import { taskContainerLimits } from './task-limits.js';
import {
  containerInterfaces,
  isPauseContainer,
  needsPauseContainer,
  pauseContainerName,
  pauseContainerSpec,
  taskAttachment,
} from './task-network.js';
import type { TaskVolumes } from './task-volumes.js';
import type { ContainerAction, ContainerRef, TaskStatusChanges } from './types.js';

/** What the agent wants for one task: actions, the status it should have, and when to look again. */
export interface TaskPlan {
  readonly actions: ContainerAction[];
  readonly pulls: { readonly image: string; readonly ref: ContainerRef }[];
  /** The agent-owned fields' wanted values (diffed against the task afterwards). */
  readonly status: TaskStatusChanges;
  /** Epoch ms of the next time-based decision, if any. */
  readonly wakeAt?: number;
}

export interface TaskPlanContext extends FailureContext {
  readonly task: Task;
  readonly td: TaskDefinition;
  readonly volumes: TaskVolumes;
  /** GPUs the instance offers. */
  readonly instanceGpus: number;
}

/** Moves lastStatus forward only. */
export function advance(current: TaskStatus, next: TaskStatus): TaskStatus {
  return taskStatusRank(next) > taskStatusRank(current) ? next : current;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** A container is created once the volumes it mounts exist, and the containers it takes volumes from or links to. */
function createReady(
  def: ContainerDefinition,
  byName: ReadonlyMap<string, { readonly observed: unknown }>,
  volumes: TaskVolumes,
): boolean {
  if (!volumes.ready((def.mountPoints ?? []).map((m) => m.sourceVolume))) return false;
  // Docker resolves volumesFrom, links and the namespaces a container joins when it creates the
  // container, so their sources exist first.
  const pause = byName.has(pauseContainerName) && !isPauseContainer(def.name) ? [pauseContainerName] : [];
  const sources = [
    ...pause,
    ...(def.volumesFrom ?? []).map((v) => v.sourceContainer),
    ...(def.links ?? []).map((l) => l.split(':')[0] as string),
  ];
  return sources.every((name) => byName.get(name)?.observed !== undefined);
}

/** What a container waits for before it starts: its dependsOn, and each container it links to (ECS). */
export function startDependencies(def: ContainerDefinition): ContainerDependency[] {
  const links = (def.links ?? []).map((l) => ({
    containerName: l.split(':')[0] as string,
    condition: 'START' as const,
  }));
  return [
    ...(def.dependsOn ?? []),
    ...links.filter((l) => !def.dependsOn?.some((d) => d.containerName === l.containerName)),
  ];
}

/** A task whose containers need more GPUs than the instance offers cannot start (refused before any create). */
function gpuShortage(ctx: TaskPlanContext): StopCause | undefined {
  if (ctx.views.every((v) => v.observed !== undefined)) return undefined;
  for (const v of ctx.views) {
    const wanted = gpusOf(v.def);
    if (wanted > ctx.instanceGpus)
      return failedToStart(agentStoppedReasons.gpuUnavailable(v.def.name, wanted, ctx.instanceGpus));
  }
  return undefined;
}

/** The plan for a task the agent has not yet reported STOPPED. */
export function planTask(ctx: TaskPlanContext): TaskPlan {
  return withTaskNetwork(ctx, planTaskContainers(ctx));
}

/**
 * What the Task record shows of its pause container: not the container itself (ECS hides it), but
 * for awsvpc the task's ENI attachment and, on each container, the ports the pause container
 * publishes for it and its address on the task's interface.
 */
function withTaskNetwork(ctx: TaskPlanContext, plan: TaskPlan): TaskPlan {
  if (!needsPauseContainer(ctx.td) || !plan.status.containers) return plan;
  const pause = ctx.views.find((v) => isPauseContainer(v.def.name));
  let containers = plan.status.containers.filter((c) => !isPauseContainer(c.name));
  let attachments: TaskStatusChanges['attachments'];
  if (ctx.td.networkMode === 'awsvpc') {
    const attachment = taskAttachment(ctx.task, pause, plan.status.lastStatus === 'STOPPED');
    attachments = [attachment, ...(ctx.task.attachments ?? []).filter((a) => a.id !== attachment.id)];
    const published = pause?.running && pause.observed ? pause.observed.portBindings : [];
    containers = containers.map((c) => {
      const view = ctx.views.find((v) => v.def.name === c.name);
      const ports = new Set(
        view ? containerPortSpecs(view.def, 'awsvpc').map((p) => `${p.containerPort}/${p.protocol}`) : [],
      );
      const interfaces = containerInterfaces(attachment);
      return {
        ...c,
        networkBindings:
          c.lastStatus === 'RUNNING'
            ? networkBindings(published.filter((b) => ports.has(`${b.containerPort}/${b.protocol}`)))
            : [],
        ...(interfaces.length > 0 ? { networkInterfaces: interfaces } : {}),
      };
    });
  }
  return { ...plan, status: { ...plan.status, containers, ...(attachments ? { attachments } : {}) } };
}

function planTaskContainers(ctx: TaskPlanContext): TaskPlan {
  const { task } = ctx;
  if (task.desiredStatus === 'STOPPED') return planStop(ctx, undefined);
  // Volumes are checked while containers are still to be created, as ECS does when a task arrives.
  const volumeFailure =
    ctx.volumes.failure !== undefined && ctx.views.some((v) => !v.observed && !v.lost)
      ? failedToStart(ctx.volumes.failure)
      : undefined;
  const cause = volumeFailure ?? gpuShortage(ctx) ?? stopCause(ctx);
  return cause ? planStop(ctx, cause) : planRun(ctx);
}

function records(ctx: TaskPlanContext, taskStopped: boolean) {
  return ctx.views.map((v) => containerRecord(ctx.task.taskArn, v, taskStopped));
}

function planRun(ctx: TaskPlanContext): TaskPlan {
  const { task, td, views, now } = ctx;
  const actions: ContainerAction[] = [];
  const pulls: { image: string; ref: ContainerRef }[] = [];
  const byName = new Map(views.map((v) => [v.def.name, v]));
  let wakeAt: number | undefined;
  if (views.some((v) => !v.observed)) actions.push(...ctx.volumes.creates);
  const defs = views.map((v) => v.def).filter((d) => !isPauseContainer(d.name));
  const limits = taskContainerLimits(td, defs);

  for (const v of views) {
    const ref = { taskArn: task.taskArn, containerName: v.def.name };
    if (!v.observed) {
      // Lost containers have already failed the task (stopCause); only absent ones get here.
      if (imageReadiness(v, ctx).state === 'pull') pulls.push({ image: v.def.image, ref });
      else if (createReady(v.def, byName, ctx.volumes))
        actions.push({
          type: 'CreateContainer',
          ...ref,
          spec: isPauseContainer(v.def.name)
            ? pauseContainerSpec(task, td, defs, ctx.settings.pauseImage)
            : containerSpec(task, td, v.def, ctx.volumes, ctx.settings, limits.get(v.def.name)),
        });
      continue;
    }
    if (!v.everStarted && v.observed.state === 'created') {
      let ready = true;
      for (const dep of startDependencies(v.def)) {
        const on = byName.get(dep.containerName);
        if (!on) continue;
        const s = dependencyState(
          dep,
          on,
          shouldRestart(on, ctx.outcomes),
          now,
          ctx.settings.defaultStartTimeoutSeconds,
        );
        if (s.state !== 'met') ready = false;
        if (s.state === 'waiting') wakeAt = minDefined(wakeAt, s.deadline);
      }
      if (ready) actions.push({ type: 'StartContainer', ...ref, containerId: v.observed.id, restart: false });
      continue;
    }
    if (shouldRestart(v, ctx.outcomes)) {
      actions.push({ type: 'StartContainer', ...ref, containerId: v.observed.id, restart: true });
    }
  }

  const anyStarted = views.some((v) => v.everStarted);
  const allStarted = views.every((v) => v.everStarted);
  // A task waiting to be registered with its target groups stays ACTIVATING (ECS's meaning of it).
  const held = (task.activationHolds?.length ?? 0) > 0;
  const phase: TaskStatus = allStarted && !held ? 'RUNNING' : anyStarted ? 'ACTIVATING' : 'PENDING';
  const lastStatus = advance(task.lastStatus, phase);
  // The pull phase spans from the agent taking the task on until every container exists.
  const allCreated = views.every((v) => v.observed !== undefined);
  const status: TaskStatusChanges = {
    lastStatus,
    healthStatus: taskHealth(views),
    containers: records(ctx, false),
    pullStartedAt: task.pullStartedAt ?? now,
    ...(task.pullStoppedAt !== undefined || allCreated ? { pullStoppedAt: task.pullStoppedAt ?? now } : {}),
    ...(lastStatus === 'RUNNING' ? { startedAt: task.startedAt ?? now } : {}),
  };
  return { actions, pulls, status, ...(wakeAt !== undefined ? { wakeAt } : {}) };
}

/**
 * Stops a task: DEACTIVATING first (the task leaves service before any signal), then STOPPING, each
 * running container stopped once no running container depends on it (reverse dependency order),
 * then STOPPED when nothing runs. `cause` is set when the agent itself decided the stop.
 */
function planStop(ctx: TaskPlanContext, cause: StopCause | undefined): TaskPlan {
  const { task, views, now } = ctx;
  const running = views.filter((v) => v.running);
  const anyStarted = views.some((v) => v.everStarted);
  const stopFields: TaskStatusChanges = {
    ...(cause
      ? {
          desiredStatus: 'STOPPED',
          stopCode: task.stopCode ?? cause.stopCode,
          stoppedReason: task.stoppedReason ?? cause.stoppedReason,
        }
      : {}),
    stoppingAt: task.stoppingAt ?? now,
    healthStatus: taskHealth(views),
  };
  if (running.length === 0) {
    return {
      actions: [],
      pulls: [],
      status: {
        ...stopFields,
        lastStatus: 'STOPPED',
        containers: records(ctx, true),
        ...(anyStarted ? { executionStoppedAt: task.executionStoppedAt ?? now } : {}),
        stoppedAt: task.stoppedAt ?? now,
      },
    };
  }
  if (taskStatusRank(task.lastStatus) < taskStatusRank('DEACTIVATING')) {
    return {
      actions: [],
      pulls: [],
      status: { ...stopFields, lastStatus: 'DEACTIVATING', containers: records(ctx, false) },
      wakeAt: now,
    };
  }
  // Registered with a load balancer: no signal until every target group has drained the task.
  if (task.lastStatus === 'DEACTIVATING' && (task.deactivationHolds?.length ?? 0) > 0) {
    const giveUpAt = (task.stoppingAt ?? now) + ctx.settings.maxDeactivationHoldMs;
    if (now < giveUpAt) {
      return {
        actions: [],
        pulls: [],
        status: { ...stopFields, lastStatus: 'DEACTIVATING', containers: records(ctx, false) },
        wakeAt: giveUpAt,
      };
    }
  }
  const actions: ContainerAction[] = [];
  for (const v of running) {
    if (dependentsOf(views, v.def.name).some((d) => d.running)) continue;
    actions.push({
      type: 'StopContainer',
      containerId: v.observed?.id ?? '',
      timeoutSeconds: v.def.stopTimeout,
      reason: 'task-stopping',
      taskArn: task.taskArn,
      containerName: v.def.name,
    });
  }
  return {
    actions,
    pulls: [],
    status: {
      ...stopFields,
      lastStatus: advance(task.lastStatus, 'STOPPING'),
      containers: records(ctx, false),
    },
  };
}

/**
 * A task the agent already reported STOPPED: anything of it still running is stopped, and its
 * containers are removed once the cleanup wait has passed.
 */
export function planStoppedTask(ctx: {
  readonly task: Task;
  readonly observed: readonly {
    readonly id: string;
    readonly running: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly containerName: string;
  }[];
  readonly now: number;
  readonly taskCleanupWaitMs: number;
  readonly fallbackStopTimeoutSeconds: number;
}): { actions: ContainerAction[]; wakeAt?: number } {
  const { task, now } = ctx;
  const actions: ContainerAction[] = [];
  const removeAt = (task.stoppedAt ?? task.executionStoppedAt ?? now) + ctx.taskCleanupWaitMs;
  let wakeAt: number | undefined;
  for (const o of ctx.observed) {
    const ref = { taskArn: task.taskArn, containerName: o.containerName };
    if (o.running) {
      actions.push({
        type: 'StopContainer',
        containerId: o.id,
        timeoutSeconds: labelledStopTimeout(o.labels, ctx.fallbackStopTimeoutSeconds),
        reason: 'task-stopped',
        ...ref,
      });
    } else if (now >= removeAt) {
      actions.push({ type: 'RemoveContainer', containerId: o.id, reason: 'retention', ...ref });
    } else {
      wakeAt = removeAt;
    }
  }
  return { actions, ...(wakeAt !== undefined ? { wakeAt } : {}) };
}
