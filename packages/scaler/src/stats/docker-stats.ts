/**
 * The parts of a Docker Engine stats sample (`GET /containers/{id}/stats`,
 * what dockerode's `container.stats()` yields) that utilisation needs.
 * Field names are Docker's, so a sample passes through unchanged.
 */
export interface DockerCpuStats {
  readonly cpu_usage?: { readonly total_usage?: number; readonly percpu_usage?: readonly number[] | null };
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
}

export interface DockerStats {
  readonly read?: string;
  readonly cpu_stats?: DockerCpuStats;
  readonly precpu_stats?: DockerCpuStats;
  readonly memory_stats?: {
    readonly usage?: number;
    readonly limit?: number;
    /** cgroup v1 has `cache` (and `total_inactive_file`); cgroup v2 has `inactive_file`. */
    readonly stats?: Readonly<Record<string, number | undefined>>;
  };
}

/** ECS counts 1024 CPU units per core. */
export const cpuUnitsPerCore = 1024;

function onlineCpus(s: DockerCpuStats): number {
  return s.online_cpus || s.cpu_usage?.percpu_usage?.length || 1;
}

/**
 * CPU units a container used between two samples, the way `docker stats`
 * computes CPU %: (CPU time delta / system CPU time delta) × online CPUs,
 * here scaled to units (× 1024) instead of percent. Undefined when there is
 * no earlier reading (a first sample) or a counter went backwards (restart).
 */
export function cpuUnitsBetween(
  earlier: DockerCpuStats | undefined,
  later: DockerCpuStats | undefined,
): number | undefined {
  const used1 = later?.cpu_usage?.total_usage;
  const used0 = earlier?.cpu_usage?.total_usage;
  const sys1 = later?.system_cpu_usage;
  const sys0 = earlier?.system_cpu_usage;
  if (later === undefined || used1 === undefined || used0 === undefined || !sys1 || !sys0) return undefined;
  const cpuDelta = used1 - used0;
  const systemDelta = sys1 - sys0;
  if (cpuDelta < 0 || systemDelta <= 0) return undefined;
  return (cpuDelta / systemDelta) * onlineCpus(later) * cpuUnitsPerCore;
}

/** CPU units over the interval a single sample covers (its `precpu_stats` to its `cpu_stats`). */
export function containerCpuUnits(sample: DockerStats): number | undefined {
  return cpuUnitsBetween(sample.precpu_stats, sample.cpu_stats);
}

/**
 * MiB of memory a container uses: usage minus page cache, as the ECS agent
 * and `docker stats` count it (`cache` on cgroup v1, `inactive_file` on v2).
 */
export function containerMemoryMiB(sample: DockerStats): number | undefined {
  const m = sample.memory_stats;
  if (m?.usage === undefined) return undefined;
  const stats = m.stats ?? {};
  const cache = stats.cache ?? stats.inactive_file ?? stats.total_inactive_file ?? 0;
  return Math.max(0, m.usage - cache) / (1024 * 1024);
}
