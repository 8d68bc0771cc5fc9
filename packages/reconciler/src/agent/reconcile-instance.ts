import type { Task, TaskStatus } from '@baton-ecs/model';
import { effectiveContainerDefinition, labelledStopTimeout } from './container-spec.js';
import { containerView } from './container-view.js';
import { deepEqual } from './deep-equal.js';
import { agentStoppedReasons, failedToStart } from './failures.js';
import { normalizeImageRef } from './images.js';
import { batonLabels, ownedBy } from './labels.js';
import { withLogRouterOrder } from './log-config.js';
import { indexObserved, isRunning } from './observed-index.js';
import { agentSettings } from './settings.js';
import { withPauseContainer } from './task-network.js';
import { advance, planStoppedTask, planTask } from './task-plan.js';
import { taskVolumes, volumesToRemove } from './task-volumes.js';
import type {
  ActionOutcome,
  AgentSettings,
  ContainerAction,
  ContainerRef,
  ObservedContainer,
  ReconcileInstanceInput,
  ReconcileInstanceResult,
  TaskStatusChanges,
  TaskStatusUpdate,
} from './types.js';

/** Only the fields whose wanted value differs from the task's current one. */
export function diffStatus(task: Task, wanted: TaskStatusChanges): TaskStatusChanges {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (value !== undefined && !deepEqual((task as Record<string, unknown>)[key], value))
      changes[key] = value;
  }
  return changes as TaskStatusChanges;
}

const pendingStatuses: ReadonlySet<TaskStatus> = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/**
 * The task agent: given the Tasks assigned to one container instance and the containers observed on
 * its engine, the container actions that make them match, and the task status updates that report
 * what the engine shows. Pure and deterministic: the same input always gives the same plan.
 */
export function reconcileInstance(input: ReconcileInstanceInput): ReconcileInstanceResult {
  const settings = agentSettings(input.settings);
  const { now } = input;
  const arn = input.instance.containerInstanceArn;
  const tasks = input.tasks
    .filter((t) => t.containerInstanceArn === arn)
    .sort((a, b) => (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0));
  const images = new Set((input.images ?? []).map(normalizeImageRef));
  const index = indexObserved(input.observed, arn);
  const volumes = new Map((input.volumes ?? []).map((v) => [v.name, v]));
  const outcomes = new Map<string, ActionOutcome[]>();
  for (const o of input.outcomes ?? []) outcomes.set(o.taskArn, [...(outcomes.get(o.taskArn) ?? []), o]);

  const actions: ContainerAction[] = [];
  const pulls = new Map<string, ContainerRef[]>();
  const taskUpdates: TaskStatusUpdate[] = [];
  const strays: { container: ObservedContainer; reason: 'orphan' | 'duplicate' }[] = [];
  const finalStatus: TaskStatus[] = [];
  let wakeAt: number | undefined;
  const wake = (at: number | undefined) => {
    if (at !== undefined) wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at);
  };
  const update = (task: Task, wanted: TaskStatusChanges) => {
    const changes = diffStatus(task, wanted);
    if (Object.keys(changes).length > 0) taskUpdates.push({ taskArn: task.taskArn, changes });
    finalStatus.push(changes.lastStatus ?? task.lastStatus);
  };

  for (const task of tasks) {
    const observed = index.byTask.get(task.taskArn) ?? new Map<string, ObservedContainer>();
    const td = input.taskDefinitions.get(task.taskDefinitionArn);
    if (task.lastStatus === 'STOPPED' || !td) {
      const plan = planStoppedTask({
        task,
        observed: [...observed].map(([containerName, o]) => ({
          id: o.id,
          running: isRunning(o),
          labels: o.labels,
          containerName,
        })),
        now,
        // A task without its definition cannot run; its containers go as soon as they have stopped.
        taskCleanupWaitMs: td ? settings.taskCleanupWaitMs : 0,
        fallbackStopTimeoutSeconds: settings.orphanStopTimeoutSeconds,
      });
      actions.push(...plan.actions);
      if (task.lastStatus === 'STOPPED') {
        wake(plan.wakeAt);
        finalStatus.push('STOPPED');
      } else {
        update(task, missingDefinitionStatus(task, [...observed.values()].some(isRunning), now));
      }
      continue;
    }

    const defs = withPauseContainer(
      td,
      withLogRouterOrder(td.containerDefinitions.map((d) => effectiveContainerDefinition(task, d))),
      settings.pauseImage,
    );
    for (const [name, o] of observed) {
      if (!defs.some((d) => d.name === name)) strays.push({ container: o, reason: 'orphan' });
    }
    const views = defs.map((d) =>
      containerView(
        d,
        observed.get(d.name),
        task.containers.find((c) => c.name === d.name),
      ),
    );
    const taskOutcomes = outcomes.get(task.taskArn) ?? [];
    const plan = planTask({
      task,
      td,
      views,
      volumes: taskVolumes(task, td, volumes, taskOutcomes),
      instanceGpus: input.instance.gpus ?? 0,
      outcomes: taskOutcomes,
      images,
      settings,
      now,
    });
    for (const p of plan.pulls) pulls.set(p.image, [...(pulls.get(p.image) ?? []), p.ref]);
    actions.push(...plan.actions);
    wake(plan.wakeAt);
    update(task, plan.status);
  }

  const known = new Set(tasks.map((t) => t.taskArn));
  for (const [taskArn, byName] of index.byTask) {
    if (!known.has(taskArn)) for (const o of byName.values()) strays.push({ container: o, reason: 'orphan' });
  }
  for (const o of index.duplicates) strays.push({ container: o, reason: 'duplicate' });
  strays.sort((a, b) => a.container.id.localeCompare(b.container.id));
  actions.push(...strays.map(({ container, reason }) => strayAction(container, reason, settings)));

  const live = new Set(tasks.filter((t) => t.lastStatus !== 'STOPPED').map((t) => t.taskArn));
  for (const v of volumesToRemove(
    input.volumes ?? [],
    (labels) => ownedBy(labels, arn),
    (taskArn) => live.has(taskArn),
    (taskArn) => (index.byTask.get(taskArn)?.size ?? 0) > 0,
  )) {
    actions.push({ type: 'RemoveVolume', name: v.name, taskArn: v.labels[batonLabels.taskArn] as string });
  }

  const pullActions: ContainerAction[] = [...pulls].map(([image, refs]) => ({
    type: 'PullImage',
    image,
    for: refs,
  }));
  return {
    // Pulls first: they take longest and nothing else in this plan waits on them.
    actions: [...pullActions, ...actions],
    taskUpdates,
    ...(wakeAt !== undefined ? { requeueAfterMs: Math.max(0, wakeAt - now) } : {}),
    instance: {
      runningTasksCount: finalStatus.filter((s) => s === 'RUNNING').length,
      pendingTasksCount: finalStatus.filter((s) => pendingStatuses.has(s)).length,
    },
  };
}

/** A labelled container no task claims: stopped (with the timeout its label names), then removed. */
function strayAction(
  o: ObservedContainer,
  reason: 'orphan' | 'duplicate',
  settings: AgentSettings,
): ContainerAction {
  const ref = {
    ...(o.labels[batonLabels.taskArn] ? { taskArn: o.labels[batonLabels.taskArn] } : {}),
    ...(o.labels[batonLabels.containerName] ? { containerName: o.labels[batonLabels.containerName] } : {}),
  };
  return isRunning(o)
    ? {
        type: 'StopContainer',
        containerId: o.id,
        timeoutSeconds: labelledStopTimeout(o.labels, settings.orphanStopTimeoutSeconds),
        reason,
        ...ref,
      }
    : { type: 'RemoveContainer', containerId: o.id, reason, ...ref };
}

/** A task whose task definition is gone cannot run: it stops, as a task that failed to start. */
function missingDefinitionStatus(task: Task, anyRunning: boolean, now: number): TaskStatusChanges {
  const cause = failedToStart(agentStoppedReasons.taskDefinitionMissing(task.taskDefinitionArn));
  return {
    desiredStatus: 'STOPPED',
    stopCode: task.stopCode ?? cause.stopCode,
    stoppedReason: task.stoppedReason ?? cause.stoppedReason,
    stoppingAt: task.stoppingAt ?? now,
    ...(anyRunning
      ? { lastStatus: advance(task.lastStatus, 'STOPPING') }
      : { lastStatus: 'STOPPED', stoppedAt: task.stoppedAt ?? now }),
  };
}
