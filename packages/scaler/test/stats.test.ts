import type { TaskDefinitionInput } from '@baton-ecs/model';
import { parseTaskDefinition } from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import { map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  containerCpuUnits,
  containerMemoryMiB,
  type DockerStats,
  serviceUtilization,
  serviceUtilizationDatapoints,
  taskUsageFromStats,
  utilizationDatapoints,
} from '../src/index.js';

const MiB = 1024 * 1024;

function td(input: Partial<TaskDefinitionInput> = {}) {
  const parsed = parseTaskDefinition({
    family: 'web',
    containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 512, memory: 1024 }],
    ...input,
  });
  if (isLeft(parsed)) throw new Error(parsed.left.message);
  return parsed.right.value;
}

/** A stats sample: cumulative CPU ns used and system ns, before and now, on `cpus` CPUs. */
function stats(
  before: [number, number],
  now: [number, number],
  memory: { usage: number; cache?: number },
  cpus = 4,
): DockerStats {
  return {
    precpu_stats: { cpu_usage: { total_usage: before[0] }, system_cpu_usage: before[1], online_cpus: cpus },
    cpu_stats: { cpu_usage: { total_usage: now[0] }, system_cpu_usage: now[1], online_cpus: cpus },
    memory_stats: { usage: memory.usage, stats: memory.cache === undefined ? {} : { cache: memory.cache } },
  };
}

describe('Docker stats', () => {
  it('CPU units = CPU delta / system delta × online CPUs × 1024', () => {
    // Half of the system's time over 4 CPUs is two cores.
    expect(containerCpuUnits(stats([1e9, 10e9], [2e9, 12e9], { usage: 0 }))).toBe(2048);
    // Online CPUs fall back to the per-CPU list, then to one.
    expect(
      containerCpuUnits({
        precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 100 },
        cpu_stats: { cpu_usage: { total_usage: 25, percpu_usage: [1, 2] }, system_cpu_usage: 200 },
      }),
    ).toBe(512);
  });

  it('has no CPU figure for a first sample or a counter that went back', () => {
    expect(containerCpuUnits(stats([0, 0], [5e9, 10e9], { usage: 0 }))).toBeUndefined();
    expect(containerCpuUnits(stats([5e9, 10e9], [1e9, 12e9], { usage: 0 }))).toBeUndefined();
  });

  it('memory is usage minus page cache (cgroup v1 cache, v2 inactive_file)', () => {
    expect(containerMemoryMiB(stats([0, 0], [0, 0], { usage: 300 * MiB, cache: 100 * MiB }))).toBe(200);
    expect(
      containerMemoryMiB({ memory_stats: { usage: 64 * MiB, stats: { inactive_file: 32 * MiB } } }),
    ).toBe(32);
    expect(containerMemoryMiB({ memory_stats: { usage: 16 * MiB } })).toBe(16);
    expect(containerMemoryMiB({})).toBeUndefined();
  });
});

describe('service utilisation', () => {
  it('is total used over total reserved, over the tasks that report', () => {
    const def = td({ cpu: '512', memory: '1024' });
    const u = serviceUtilization([
      { taskDefinition: def, cpuUnits: 1024, memoryMiB: 512 },
      { taskDefinition: def, cpuUnits: 256, memoryMiB: 256 },
      { taskDefinition: def, cpuUnits: undefined, memoryMiB: undefined },
    ]);
    expect(u).toEqual({ cpuUtilization: 125, memoryUtilization: 37.5 });
  });

  it('uses memoryReservation when set, and gives no CPU figure when nothing is reserved', () => {
    const def = td({
      containerDefinitions: [
        { name: 'a', image: 'busybox', cpu: 0, memory: 512, memoryReservation: 128 },
        { name: 'b', image: 'busybox', cpu: 0, memory: 128 },
      ],
    });
    expect(serviceUtilization([{ taskDefinition: def, cpuUnits: 100, memoryMiB: 64 }])).toEqual({
      cpuUtilization: undefined,
      memoryUtilization: 25,
    });
  });

  it('sums a task over its containers and names the datapoints as ECS does', () => {
    const def = td({ cpu: '1024', memory: '1024' });
    const usage = taskUsageFromStats(def, [
      stats([1e9, 10e9], [2e9, 12e9], { usage: 100 * MiB }),
      stats([1e9, 10e9], [1.5e9, 12e9], { usage: 28 * MiB }),
    ]);
    expect(usage).toMatchObject({ cpuUnits: 3072, memoryMiB: 128 });
    expect(utilizationDatapoints(serviceUtilization([usage]), 5)).toEqual([
      { namespace: 'AWS/ECS', metricName: 'CPUUtilization', value: 300, timestamp: 5 },
      { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', value: 12.5, timestamp: 5 },
    ]);
  });
});

describe('utilisation stream', () => {
  it('averages CPU over each whole interval and drops tasks that left', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, hot, expectObservable }) => {
      const def = td({ cpu: '1024', memory: '1024' });
      // One container on 1 CPU: cumulative ns used / system ns, sampled every 10 s.
      const sample = (used: number, system: number, prevUsed: number, prevSystem: number) => ({
        taskArn: 't1',
        containerName: 'app',
        stats: stats([prevUsed, prevSystem], [used, system], { usage: 256 * MiB }, 1),
      });
      const samples = hot('5s a 9999ms b 9999ms c 9999ms d', {
        a: sample(1, 10, 0, 0), // first sample: no precpu, no CPU figure on its own
        b: sample(6, 20, 1, 10), // 50 %
        c: sample(16, 30, 6, 20), // 100 %
        d: sample(16, 40, 16, 30), // idle
      });
      const tasks = cold('a 44999ms b', { a: [{ taskArn: 't1', taskDefinition: def }], b: [] });
      const points = serviceUtilizationDatapoints({ samples, tasks, scheduler: ts, intervalMs: 20_000 });
      expectObservable(points.pipe(map((d) => `${d.metricName} ${d.value}`)), '^ 80s !').toBe(
        // At 20 s only b is there: its own interval (50 %). At 40 s, from b to d: 10 of 20 ns.
        '20s (ab) 19996ms (cd)',
        {
          a: 'CPUUtilization 50',
          b: 'MemoryUtilization 25',
          c: 'CPUUtilization 50',
          d: 'MemoryUtilization 25',
        },
      );
    });
  });

  it('emits nothing while the service has no tasks', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ expectObservable }) => {
      const points = serviceUtilizationDatapoints({
        samples: of(),
        tasks: of([]),
        scheduler: ts,
      });
      expectObservable(points, '^ 60s !').toBe('');
    });
  });
});
