import { type TaskDefinition, taskCpuUnits, taskMemoryMiB } from '@baton-ecs/model';
import { defer, filter, from, map, merge, mergeMap, type Observable, type SchedulerLike } from 'rxjs';
import { alignedTicks } from '../engine/ticks.js';
import type { MetricDatapoint } from '../metrics/datapoint.js';
import { predefinedMetrics } from '../policies/target-tracking.js';
import { containerCpuUnits, containerMemoryMiB, cpuUnitsBetween, type DockerStats } from './docker-stats.js';

/** What a task reserves, from its task definition (task-level values, else its containers'). */
export type ReservingTaskDefinition = Pick<TaskDefinition, 'cpu' | 'memory' | 'containerDefinitions'>;

/** One task's measured use: CPU units and MiB summed over its containers; undefined when unknown. */
export interface TaskUsage {
  readonly taskDefinition: ReservingTaskDefinition;
  readonly cpuUnits: number | undefined;
  readonly memoryMiB: number | undefined;
}

export interface ServiceUtilization {
  /** ECSServiceAverageCPUUtilization, percent; undefined when no task has a CPU reading and reservation. */
  readonly cpuUtilization: number | undefined;
  readonly memoryUtilization: number | undefined;
}

/**
 * ECS's service utilisation: total used over total reserved, in percent,
 * over the service's tasks —
 *   CPU    = Σ CPU units used × 100 / Σ CPU units reserved
 *   memory = Σ MiB used × 100 / Σ MiB reserved
 * where a task reserves its task definition's task-level cpu/memory, else
 * the sum of its containers' cpu and memoryReservation (else memory). A task
 * without a reading, or reserving nothing, is left out of that figure (CPU
 * 0 on every container reserves nothing: give the task definition a cpu to
 * scale on CPU). Utilisation above 100 % is possible, as in ECS: a task may
 * use more CPU than it reserves.
 */
export function serviceUtilization(tasks: readonly TaskUsage[]): ServiceUtilization {
  let cpuUsed = 0;
  let cpuReserved = 0;
  let memUsed = 0;
  let memReserved = 0;
  for (const t of tasks) {
    const cpu = taskCpuUnits(t.taskDefinition);
    if (t.cpuUnits !== undefined && cpu > 0) {
      cpuUsed += t.cpuUnits;
      cpuReserved += cpu;
    }
    const mem = taskMemoryMiB(t.taskDefinition);
    if (t.memoryMiB !== undefined && mem > 0) {
      memUsed += t.memoryMiB;
      memReserved += mem;
    }
  }
  return {
    cpuUtilization: cpuReserved > 0 ? (cpuUsed * 100) / cpuReserved : undefined,
    memoryUtilization: memReserved > 0 ? (memUsed * 100) / memReserved : undefined,
  };
}

/** A task's use from one stats sample per container (each sample's own precpu→cpu interval). */
export function taskUsageFromStats(
  taskDefinition: ReservingTaskDefinition,
  containers: readonly DockerStats[],
): TaskUsage {
  let cpu: number | undefined = 0;
  let memory: number | undefined = 0;
  for (const s of containers) {
    const c = containerCpuUnits(s);
    const m = containerMemoryMiB(s);
    cpu = cpu === undefined || c === undefined ? undefined : cpu + c;
    memory = memory === undefined || m === undefined ? undefined : memory + m;
  }
  if (containers.length === 0) return { taskDefinition, cpuUnits: undefined, memoryMiB: undefined };
  return { taskDefinition, cpuUnits: cpu, memoryMiB: memory };
}

/** The two ECS service metrics as datapoints (only those that are defined). */
export function utilizationDatapoints(u: ServiceUtilization, timestamp: number): MetricDatapoint[] {
  const out: MetricDatapoint[] = [];
  const cpu = predefinedMetrics.ECSServiceAverageCPUUtilization;
  const mem = predefinedMetrics.ECSServiceAverageMemoryUtilization;
  if (u.cpuUtilization !== undefined)
    out.push({ namespace: cpu.namespace, metricName: cpu.metricName, value: u.cpuUtilization, timestamp });
  if (u.memoryUtilization !== undefined)
    out.push({ namespace: mem.namespace, metricName: mem.metricName, value: u.memoryUtilization, timestamp });
  return out;
}

/** One stats sample of one container of a task, as the engine's stats stream delivers it. */
export interface ContainerStatsSample {
  readonly taskArn: string;
  readonly containerName: string;
  readonly stats: DockerStats;
}

/** A task of the service, with the task definition it runs. */
export interface ServiceTask {
  readonly taskArn: string;
  readonly taskDefinition: ReservingTaskDefinition;
}

export interface UtilizationStreamInputs {
  /** Stats samples of the service's containers, in any order and rate. */
  readonly samples: Observable<ContainerStatsSample>;
  /** The service's running tasks, re-emitted when they change. */
  readonly tasks: Observable<readonly ServiceTask[]>;
  readonly scheduler: SchedulerLike;
  /** How often to emit (aligned to multiples since the epoch); 20 s by default. */
  readonly intervalMs?: number;
  /** Samples older than this are ignored; 3 intervals by default. */
  readonly staleAfterMs?: number;
}

/**
 * ECSServiceAverageCPUUtilization and ECSServiceAverageMemoryUtilization
 * datapoints from the engine's stats stream. Every interval it averages each
 * container's CPU over the whole interval (from the sample used last time to
 * the latest), takes its latest memory, sums per task and computes the
 * service figures against the task definitions' reservations. Each
 * datapoint is stamped with its emission time and covers the interval
 * before it.
 */
export function serviceUtilizationDatapoints(inputs: UtilizationStreamInputs): Observable<MetricDatapoint> {
  const { scheduler } = inputs;
  const interval = inputs.intervalMs ?? 20_000;
  const staleAfter = inputs.staleAfterMs ?? 3 * interval;
  return defer(() => {
    let tasks: ReadonlyMap<string, ServiceTask> = new Map();
    /** taskArn → containerName → latest sample and when it arrived. */
    const samples = new Map<string, Map<string, { stats: DockerStats; at: number }>>();
    /** The sample each container's CPU was last measured to. */
    const baselines = new Map<string, DockerStats>();
    const taskUpdates = inputs.tasks.pipe(
      map((list) => {
        tasks = new Map(list.map((t) => [t.taskArn, t]));
        for (const arn of samples.keys()) if (!tasks.has(arn)) samples.delete(arn);
        return undefined;
      }),
    );
    const sampleUpdates = inputs.samples.pipe(
      map((s) => {
        let containers = samples.get(s.taskArn);
        if (containers === undefined) {
          containers = new Map();
          samples.set(s.taskArn, containers);
        }
        containers.set(s.containerName, { stats: s.stats, at: scheduler.now() });
        return undefined;
      }),
    );
    const ticks = alignedTicks(interval, scheduler).pipe(
      mergeMap(() => {
        const now = scheduler.now();
        const usages: TaskUsage[] = [];
        for (const task of tasks.values()) {
          const containers = samples.get(task.taskArn);
          if (containers === undefined) continue;
          let cpu: number | undefined = 0;
          let memory: number | undefined = 0;
          let fresh = 0;
          for (const [name, { stats, at }] of containers) {
            if (now - at > staleAfter) continue;
            fresh++;
            const key = `${task.taskArn}\u0000${name}`;
            const c =
              cpuUnitsBetween(baselines.get(key)?.cpu_stats, stats.cpu_stats) ?? containerCpuUnits(stats);
            baselines.set(key, stats);
            const m = containerMemoryMiB(stats);
            cpu = cpu === undefined || c === undefined ? undefined : cpu + c;
            memory = memory === undefined || m === undefined ? undefined : memory + m;
          }
          if (fresh > 0)
            usages.push({ taskDefinition: task.taskDefinition, cpuUnits: cpu, memoryMiB: memory });
        }
        for (const key of baselines.keys()) if (!tasks.has(key.split('\u0000')[0]!)) baselines.delete(key);
        return from(utilizationDatapoints(serviceUtilization(usages), now));
      }),
    );
    return merge(taskUpdates, sampleUpdates, ticks).pipe(
      filter((d): d is MetricDatapoint => d !== undefined),
    );
  });
}
