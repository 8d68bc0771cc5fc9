import type { Task, TaskDefinition } from '@baton-ecs/model';
import { defaultBehaviour, type TaskBehaviour } from './behaviour.js';

/**
 * The simulated container agent: moves one task along ECS's lifecycle at
 * virtual time `now`, the way a real agent would report it. Tasks on a
 * disconnected instance do not move (nobody reports them).
 */
export function advanceTask(
  task: Task,
  td: TaskDefinition | undefined,
  behaviour: TaskBehaviour,
  now: number,
): Task {
  if (task.lastStatus === 'STOPPED') return task;
  const b = { ...defaultBehaviour, ...behaviour };
  if (task.desiredStatus === 'STOPPED') {
    const stoppingAt = task.stoppingAt ?? now;
    if (now - stoppingAt >= b.stopMs) return stopped(task, now, {});
    return task.lastStatus === 'STOPPING' && task.stoppingAt !== undefined
      ? task
      : { ...task, lastStatus: 'STOPPING', stoppingAt };
  }
  const createdAt = task.createdAt ?? now;
  if (task.lastStatus === 'PROVISIONING') return { ...task, lastStatus: 'PENDING', pullStartedAt: now };
  if (task.lastStatus === 'PENDING' || task.lastStatus === 'ACTIVATING') {
    if (now - createdAt < b.pullMs + b.startMs) return task;
    if (behaviour.failToStart !== undefined) {
      return stopped(task, now, { stopCode: 'TaskFailedToStart', stoppedReason: behaviour.failToStart });
    }
    return {
      ...task,
      lastStatus: 'RUNNING',
      startedAt: now,
      pullStoppedAt: now,
      containers: task.containers.map((c) => ({ ...c, lastStatus: 'RUNNING' as const, startedAt: now })),
    };
  }
  if (task.lastStatus === 'RUNNING') {
    const ranFor = now - (task.startedAt ?? now);
    if (behaviour.exitAfterMs !== undefined && ranFor >= behaviour.exitAfterMs) {
      return stopped(task, now, {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        exitCode: behaviour.exitCode ?? 1,
      });
    }
    const checked = td?.containerDefinitions.some((c) => c.essential && c.healthCheck) ?? false;
    if (!checked) return task;
    const health =
      behaviour.unhealthyAfterMs !== undefined && ranFor >= behaviour.unhealthyAfterMs
        ? 'UNHEALTHY'
        : ranFor >= b.healthyAfterMs
          ? 'HEALTHY'
          : 'UNKNOWN';
    return health === task.healthStatus ? task : { ...task, healthStatus: health };
  }
  return task;
}

function stopped(
  task: Task,
  now: number,
  why: { stopCode?: Task['stopCode']; stoppedReason?: string; exitCode?: number },
): Task {
  return {
    ...task,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedAt: now,
    executionStoppedAt: now,
    ...(task.stopCode === undefined && why.stopCode ? { stopCode: why.stopCode } : {}),
    ...(task.stoppedReason === undefined && why.stoppedReason ? { stoppedReason: why.stoppedReason } : {}),
    containers: task.containers.map((c) => ({
      ...c,
      lastStatus: 'STOPPED' as const,
      finishedAt: now,
      ...(why.exitCode !== undefined ? { exitCode: why.exitCode } : {}),
    })),
  };
}
