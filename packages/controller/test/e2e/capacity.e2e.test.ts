import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton, EngineProvider } from '../../src/index.js';
import {
  docker,
  engine1,
  engineScript,
  liveTasks,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

// Engines 12 and 13 belong to this file: the capacity provider starts and destroys them.

const cluster = uniqueCluster('e2e-cap');
const usableMiB = 300; // each engine offers tasks this much memory
let reservedMiB = 0;
let baton: Baton;
const launched: number[] = [];
const terminated: string[] = [];
let next = 12;

const provider: EngineProvider = {
  instanceTemplate: () => ({
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: usableMiB },
    ],
  }),
  async launchEngines(count) {
    const engines = [];
    for (let i = 0; i < count; i++) {
      const n = next++;
      await engineScript('start', n);
      launched.push(n);
      engines.push({
        endpoint: `unix:///var/run/baton/docker-${n}.sock`,
        instanceId: `engine-${n}`,
        reservedMemoryMiB: reservedMiB,
      });
    }
    return engines;
  },
  async terminateEngines(engines) {
    for (const e of engines) {
      terminated.push(e.instanceId);
      await engineScript('destroy', Number(e.instanceId.replace('engine-', '')));
    }
  },
};

beforeAll(async () => {
  await requireEngine(engine1);
  const info = await docker(engine1).info();
  reservedMiB = Math.floor(info.MemTotal / 2 ** 20) - usableMiB;
  baton = await testBaton({
    cluster,
    engines: [{ endpoint: engine1, instanceId: 'engine-1', reservedMemoryMiB: reservedMiB }],
  });
}, 60_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  for (const n of launched) await engineScript('destroy', n).catch(() => undefined);
}, 120_000);

describe('a capacity provider on real engines', { timeout: 150_000 }, () => {
  it('launches an engine for tasks that do not fit, and terminates it once it is empty', async () => {
    await baton.registerTaskDefinition({
      family: 'mem',
      containerDefinitions: [
        { name: 'app', image: testImage, memory: 128, command: ['sleep', '3600'], stopTimeout: 1 },
      ],
    });
    await baton.createService({ cluster, serviceName: 'mem', taskDefinition: 'mem', desiredCount: 4 });
    await waitFor('2 tasks on engine-1 and the rest unplaceable', 30_000, async () => {
      const [s] = (await baton.describeServices({ cluster, services: ['mem'] })).services;
      return s!.runningCount === 2 && s!.events.some((e) => e.message.includes('unable to place a task'));
    });

    const capacity = baton.attachCapacityProvider(
      {
        name: 'engines',
        autoScalingGroupProvider: {
          managedScaling: { targetCapacity: 100, instanceWarmupPeriod: 10 },
          minSize: 0,
          maxSize: 3,
        },
      },
      provider,
      { intervalMs: 1_000, scaleInEvaluations: 3 },
    );
    await waitFor('4 RUNNING tasks, 2 of them on a launched engine', 90_000, async () => {
      const tasks = await liveTasks(baton, cluster, 'mem');
      return (
        tasks.length === 4 &&
        tasks.every((t) => t.lastStatus === 'RUNNING') &&
        tasks.filter((t) => !t.containerInstanceArn?.endsWith('/engine-1')).length === 2
      );
    });
    expect(launched).toEqual([12]);
    expect(capacity.decisions.find((d) => d.action.type === 'launch')?.message).toBeTruthy();

    await baton.updateService({ cluster, service: 'mem', desiredCount: 0 });
    await waitFor('the launched engine to be terminated', 90_000, async () => terminated.length === 1);
    expect(terminated).toEqual(['engine-12']);
    const { containerInstances } = await baton.describeContainerInstances({
      cluster,
      containerInstances: ['engine-12', 'engine-1'],
    });
    expect(containerInstances.map((i) => i.status)).toEqual(['INACTIVE', 'ACTIVE']);
  });
});
