import { clusterNameOf, resourceName, type Task } from '@baton-ecs/model';
import type { Baton } from '../baton.js';
import { BatonApiError } from '../errors.js';

/** The ListTasks filters the index answers; any other filter goes to `baton.listTasks`. */
export interface IndexedListTasks {
  readonly cluster?: string;
  readonly serviceName?: string;
  readonly desiredStatus?: 'RUNNING' | 'STOPPED';
}

/**
 * ListTasks' common questions — a cluster's tasks, or one service's, by desired status — answered
 * from sorted lists kept in step with the task informer, instead of filtering every task on every
 * call (`baton.listTasks` scans them: 15 ms p99 at 10,000 tasks). It selects exactly what
 * `baton.listTasks` does for these filters (same cluster, `service:<name>` group, desired status;
 * test/endpoint/task-list-index.test.ts holds the two to the same answers).
 */
export class TaskListIndex {
  /** `cluster\0desiredStatus\0` (whole cluster) or `cluster\0desiredStatus\0group` → task ARNs. */
  private readonly sets = new Map<string, Set<string>>();
  private readonly sorted = new Map<string, string[]>();

  constructor(private readonly baton: Baton) {
    const { tasks } = baton.internals.informers;
    for (const e of tasks.values()) this.add(e.object);
    tasks.changes.subscribe((c) => {
      if (c.previous) this.remove(c.previous.object);
      if (c.object) this.add(c.object.object);
    });
  }

  /** The sorted task ARNs, or ClusterNotFoundException as `baton.listTasks` answers it. */
  list(request: IndexedListTasks): readonly string[] {
    const cluster = clusterNameOf(request.cluster ?? this.baton.defaultCluster);
    const c = this.baton.internals.informers.clusters.get(cluster);
    if (!c || c.object.status === 'INACTIVE')
      throw new BatonApiError('ClusterNotFoundException', `Cluster not found: ${cluster}.`);
    const group = request.serviceName ? `service:${resourceName(request.serviceName)}` : '';
    const key = `${cluster}\u0000${request.desiredStatus ?? 'RUNNING'}\u0000${group}`;
    let out = this.sorted.get(key);
    if (!out) {
      out = [...(this.sets.get(key) ?? [])].sort();
      this.sorted.set(key, out);
    }
    return out;
  }

  private keysOf(t: Task): string[] {
    const base = `${clusterNameOf(t.clusterArn)}\u0000${t.desiredStatus}\u0000`;
    return t.group?.startsWith('service:') ? [base, `${base}${t.group}`] : [base];
  }

  private add(t: Task): void {
    for (const k of this.keysOf(t)) {
      const set = this.sets.get(k) ?? new Set<string>();
      this.sets.set(k, set);
      set.add(t.taskArn);
      this.sorted.delete(k);
    }
  }

  private remove(t: Task): void {
    for (const k of this.keysOf(t)) {
      const set = this.sets.get(k);
      if (!set) continue;
      set.delete(t.taskArn);
      if (set.size === 0) this.sets.delete(k);
      this.sorted.delete(k);
    }
  }
}
