import type { Task, TaskDefinition } from '@baton-ecs/model';
import { taskStatusRank } from '@baton-ecs/model';
import { ClusterState, type SchedulerInstance } from '@baton-ecs/scheduler';
import {
  defaultInstanceLostAfterMs,
  type ServiceReconcileContext,
  type ServiceReconcileInput,
} from './plan.js';
import { hasEssentialHealthCheck, type TaskHealthVerdict, taskHealthForDeployment } from './task-health.js';

/** What one pass knows about each of the service's tasks. */
export interface ClassifiedTask {
  readonly task: Task;
  readonly instance: SchedulerInstance | undefined;
  /** desiredStatus RUNNING and not yet STOPPED: counts toward RUNNING + PENDING. */
  readonly live: boolean;
  /** lastStatus RUNNING (with desiredStatus RUNNING). */
  readonly running: boolean;
  readonly health: TaskHealthVerdict;
  /** On an instance whose agent has been disconnected longer than instanceLostAfter. */
  readonly lost: boolean;
  /** On a DRAINING instance. */
  readonly draining: boolean;
}

export interface Classification {
  readonly all: readonly ClassifiedTask[];
  readonly live: readonly ClassifiedTask[];
  /** The earliest future time a verdict may change (health timers, lost-instance timers). */
  readonly recheckAt: number | undefined;
}

/**
 * Classifies the service's tasks. `instances` finds a task's instance: a function, or the pass's
 * ClusterState, whose records hold the facts read here (status, agent connected), so the
 * instance objects themselves are read only for disconnected instances.
 */
export function classifyTasks(
  input: ServiceReconcileInput,
  ctx: ServiceReconcileContext,
  instances: ClusterState | ((containerInstanceArn: string | undefined) => SchedulerInstance | undefined),
): Classification {
  const state = instances instanceof ClusterState ? instances : undefined;
  const instanceOf =
    state === undefined
      ? (instances as (arn: string | undefined) => SchedulerInstance | undefined)
      : undefined;
  const lostAfter = ctx.instanceLostAfterMs ?? defaultInstanceLostAfterMs;
  let recheckAt: number | undefined;
  const later = (t: number | undefined) => {
    if (t !== undefined && t > ctx.now && (recheckAt === undefined || t < recheckAt)) recheckAt = t;
  };
  const all: ClassifiedTask[] = [];
  const live: ClassifiedTask[] = [];
  const running = taskStatusRank('RUNNING');
  // A service's tasks share one or two task definitions: look each up once.
  let lastArn: string | undefined;
  let lastTd: TaskDefinition | undefined;
  let lastChecked = false;
  for (const task of input.tasks) {
    const isLive = task.desiredStatus === 'RUNNING' && task.lastStatus !== 'STOPPED';
    if (!isLive) {
      all.push({
        task,
        instance: undefined,
        live: false,
        running: false,
        health: notLive,
        lost: false,
        draining: false,
      });
      continue;
    }
    let instance: SchedulerInstance | undefined;
    let agentConnected = true;
    let instanceStatus: string | undefined;
    if (state !== undefined) {
      const index =
        task.containerInstanceArn === undefined ? undefined : state.indexOf(task.containerInstanceArn);
      if (index !== undefined) {
        const r = state.records[index]!;
        instance = r.instance;
        agentConnected = r.agentConnected;
        instanceStatus = r.status;
      }
    } else {
      instance = instanceOf!(task.containerInstanceArn);
      if (instance) {
        agentConnected = instance.agentConnected;
        instanceStatus = instance.status;
      }
    }
    let lost = false;
    if (task.containerInstanceArn && !instance) lost = true;
    // Deregistered with force (ECS: its tasks are orphaned and the service starts other copies).
    if (instance && instanceStatus === 'INACTIVE') lost = true;
    if (instance && !agentConnected) {
      const since = (instance as { agentDisconnectedAt?: number }).agentDisconnectedAt;
      if (since !== undefined) {
        if (ctx.now - since >= lostAfter) lost = true;
        else later(since + lostAfter);
      }
    }
    if (task.taskDefinitionArn !== lastArn) {
      lastArn = task.taskDefinitionArn;
      lastTd = input.taskDefinitions.get(lastArn) as TaskDefinition | undefined;
      lastChecked = lastTd !== undefined && hasEssentialHealthCheck(lastTd);
    }
    const target = input.targetHealth?.get(task.taskArn);
    const health: TaskHealthVerdict = lastTd
      ? taskHealthForDeployment(task, lastTd, input.service, ctx.now, target, lastChecked)
      : notLive;
    if (health.state === 'pending') later(health.recheckAt);
    const c: ClassifiedTask = {
      task,
      instance,
      live: true,
      running: taskStatusRank(task.lastStatus) >= running,
      health,
      lost,
      draining: instanceStatus === 'DRAINING',
    };
    all.push(c);
    live.push(c);
  }
  return { all, live, recheckAt };
}

const notLive: TaskHealthVerdict = Object.freeze({ state: 'pending' });
