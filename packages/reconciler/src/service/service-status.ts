import type { Deployment, Task } from '@baton-ecs/model';
import { taskStatusRank } from '@baton-ecs/model';

const RUNNING = taskStatusRank('RUNNING');

/** RUNNING (or further along) versus not yet started. */
export function isStarted(task: Pick<Task, 'lastStatus'>): boolean {
  return taskStatusRank(task.lastStatus) >= RUNNING;
}

/** Live task counts after a pass, per deployment id and in all. */
export interface LiveCounts {
  readonly byDeployment: ReadonlyMap<string, { running: number; pending: number }>;
  readonly running: number;
  readonly pending: number;
}

export function countLive(tasks: readonly Task[]): LiveCounts {
  const byDeployment = new Map<string, { running: number; pending: number }>();
  let running = 0;
  let pending = 0;
  for (const t of tasks) {
    const key = t.startedBy ?? '';
    let c = byDeployment.get(key);
    if (!c) {
      c = { running: 0, pending: 0 };
      byDeployment.set(key, c);
    }
    if (isStarted(t)) {
      c.running++;
      running++;
    } else {
      c.pending++;
      pending++;
    }
  }
  return { byDeployment, running, pending };
}

/**
 * Returns `object` itself when every patched field already has its value, so
 * a pass that changes nothing produces the very same objects — and the shell
 * has nothing to write.
 */
export function patch<T extends object>(object: T, changes: Partial<T>): T {
  for (const key in changes) {
    if (!Object.is(object[key], changes[key])) return { ...object, ...changes };
  }
  return object;
}

/** `next` if any element differs from `previous`, else `previous`. */
export function sameArray<T>(previous: readonly T[], next: readonly T[]): readonly T[] {
  if (previous.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (previous[i] !== next[i]) return next;
  return previous;
}

/** Deployment counts after the pass; ACTIVE deployments with no task left become INACTIVE. */
export function updateDeploymentCounts(
  deployments: readonly Deployment[],
  counts: LiveCounts,
  primaryDesired: number,
  now: number,
): Deployment[] {
  return deployments.map((d) => {
    const c = counts.byDeployment.get(d.id);
    const runningCount = c?.running ?? 0;
    const pendingCount = c?.pending ?? 0;
    const live = runningCount + pendingCount;
    // PRIMARY wants the service's count; ACTIVE wants what it still runs, and is INACTIVE when that is 0.
    const desiredCount =
      d.status === 'PRIMARY' ? primaryDesired : d.status === 'ACTIVE' ? live : d.desiredCount;
    const status = d.status === 'ACTIVE' && live === 0 ? 'INACTIVE' : d.status;
    if (
      d.runningCount === runningCount &&
      d.pendingCount === pendingCount &&
      d.desiredCount === desiredCount &&
      d.status === status
    )
      return d;
    return { ...d, runningCount, pendingCount, desiredCount, status, updatedAt: now };
  });
}
