import type { ContainerDefinition, TaskDefinition } from '@baton-ecs/model';

/** The smallest memory limit Docker accepts, MiB. */
const minimumMemoryMiB = 6;

export interface ContainerLimits {
  /** Hard memory limit, MiB. */
  readonly memoryMiB?: number;
  /** CPU quota in CPUs (Docker's NanoCpus / 1e9). */
  readonly cpus?: number;
}

/**
 * Task-level `cpu` and `memory` as limits of the task's containers together. ECS's agent puts a
 * task's containers in one cgroup with those limits; Docker's API cannot create such a cgroup on a
 * remote engine, so Baton splits them: containers with their own hard `memory` keep it and the rest
 * share what remains in proportion to their `memoryReservation` (equally when none set one); the
 * task's CPU becomes a quota split in proportion to the containers' `cpu` units (equally when all
 * are 0). The sum never exceeds the task's size; a container cannot borrow what a sibling leaves
 * unused (docs/workloads.md).
 */
export function taskContainerLimits(
  td: Pick<TaskDefinition, 'cpu' | 'memory'>,
  defs: readonly Pick<ContainerDefinition, 'name' | 'cpu' | 'memory' | 'memoryReservation'>[],
): ReadonlyMap<string, ContainerLimits> {
  const out = new Map<string, { memoryMiB?: number; cpus?: number }>();
  for (const d of defs) out.set(d.name, d.memory !== undefined ? { memoryMiB: d.memory } : {});
  if (td.memory !== undefined) {
    const taskMiB = Number(td.memory);
    const open = defs.filter((d) => d.memory === undefined);
    const remaining = taskMiB - defs.reduce((sum, d) => sum + (d.memory ?? 0), 0);
    const weights = open.map((d) => d.memoryReservation ?? 0);
    const total = weights.reduce((a, b) => a + b, 0);
    open.forEach((d, i) => {
      const share = total > 0 ? (weights[i] as number) / total : 1 / open.length;
      const limit = Math.max(minimumMemoryMiB, Math.floor(remaining * share));
      out.set(d.name, { ...out.get(d.name), memoryMiB: limit });
    });
  }
  if (td.cpu !== undefined) {
    const taskCpus = Number(td.cpu) / 1024;
    const total = defs.reduce((sum, d) => sum + d.cpu, 0);
    for (const d of defs) {
      const share = total > 0 ? d.cpu / total : 1 / defs.length;
      // Docker's NanoCpus granularity; never 0, which would mean "no limit".
      const cpus = Math.max(0.01, Math.floor(taskCpus * share * 100) / 100);
      out.set(d.name, { ...out.get(d.name), cpus });
    }
  }
  return out;
}
