import type { Task, TaskDefinition } from '@baton/model';
import { taskStatusRank } from '@baton/model';
import type { SchedulerInstance } from '@baton/scheduler';
import {
  defaultInstanceLostAfterMs,
  type ServiceReconcileContext,
  type ServiceReconcileInput,
} from './plan.js';
import { type TaskHealthVerdict, taskHealthForDeployment } from './task-health.js';

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

export function classifyTasks(
  input: ServiceReconcileInput,
  ctx: ServiceReconcileContext,
  instanceOf: (containerInstanceArn: string | undefined) => SchedulerInstance | undefined,
): Classification {
  const lostAfter = ctx.instanceLostAfterMs ?? defaultInstanceLostAfterMs;
  let recheckAt: number | undefined;
  const later = (t: number | undefined) => {
    if (t !== undefined && t > ctx.now && (recheckAt === undefined || t < recheckAt)) recheckAt = t;
  };
  const all = input.tasks.map((task): ClassifiedTask => {
    const instance = instanceOf(task.containerInstanceArn);
    const live = task.desiredStatus === 'RUNNING' && task.lastStatus !== 'STOPPED';
    let lost = false;
    if (live && task.containerInstanceArn && !instance) lost = true;
    if (live && instance && !instance.agentConnected) {
      const since = (instance as { agentDisconnectedAt?: number }).agentDisconnectedAt;
      if (since !== undefined) {
        if (ctx.now - since >= lostAfter) lost = true;
        else later(since + lostAfter);
      }
    }
    const td = input.taskDefinitions.get(task.taskDefinitionArn);
    const target = input.targetHealth?.get(task.taskArn);
    const health: TaskHealthVerdict =
      live && td
        ? taskHealthForDeployment(task, td as TaskDefinition, input.service, ctx.now, target)
        : { state: 'pending' };
    if (health.state === 'pending') later(health.recheckAt);
    return {
      task,
      instance,
      live,
      running: live && taskStatusRank(task.lastStatus) >= taskStatusRank('RUNNING'),
      health,
      lost,
      draining: instance?.status === 'DRAINING',
    };
  });
  return { all, live: all.filter((c) => c.live), recheckAt };
}
