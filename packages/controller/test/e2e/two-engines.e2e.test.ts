import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  clusterContainers,
  engine1,
  engineScript,
  httpdTaskDefinition,
  liveTasks,
  removeClusterContainers,
  requireEngine,
  testBaton,
  uniqueCluster,
  waitFor,
} from './harness.js';

// Engine 4 belongs to this file alone: the test stops its daemon.
const engine4 = (command: 'start' | 'stop' | 'destroy') => engineScript(command, 4);
const endpoint4 = 'unix:///var/run/baton/docker-4.sock';

const cluster = uniqueCluster('e2e-two');
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  await engine4('start');
  await requireEngine(endpoint4);
  baton = await testBaton({
    cluster,
    instanceLostAfterMs: 3_000,
    engines: [
      { endpoint: engine1, instanceId: 'engine-1', attributes: { 'ecs.availability-zone': 'zone-a' } },
      { endpoint: endpoint4, instanceId: 'engine-4', attributes: { 'ecs.availability-zone': 'zone-b' } },
    ],
  });
}, 90_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  await engine4('destroy');
}, 90_000);

const onEngine = async (instanceId: string) =>
  (await liveTasks(baton, cluster, 'web')).filter(
    (t) => t.containerInstanceArn?.endsWith(`/${instanceId}`) && t.lastStatus === 'RUNNING',
  );

describe('a service over two engines', { timeout: 120_000 }, () => {
  it('spreads over both zones', async () => {
    // A health check makes tasks count as healthy within seconds (without one ECS waits 40 s).
    await baton.registerTaskDefinition(httpdTaskDefinition('web', { healthCheck: true }));
    await baton.createService({
      cluster,
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
    });
    await waitFor(
      '2 RUNNING tasks on each engine',
      30_000,
      async () => (await onEngine('engine-1')).length === 2 && (await onEngine('engine-4')).length === 2,
    );
  });

  it('draining an engine moves its tasks to the other', async () => {
    await baton.updateContainerInstancesState({
      cluster,
      containerInstances: ['engine-1'],
      status: 'DRAINING',
    });
    await waitFor('every task on engine-4', 60_000, async () => {
      const tasks = await liveTasks(baton, cluster, 'web');
      return (
        tasks.length === 4 &&
        tasks.every((t) => t.containerInstanceArn?.endsWith('/engine-4') && t.lastStatus === 'RUNNING')
      );
    });
    await waitFor(
      "engine-1's containers to stop",
      30_000,
      async () => (await clusterContainers(engine1, cluster)).length === 0,
    );
    await baton.updateContainerInstancesState({
      cluster,
      containerInstances: ['engine-1'],
      status: 'ACTIVE',
    });
  });

  it("a dead engine's tasks are replaced on the other after instanceLostAfter; its containers go when it returns", async () => {
    const lost = await onEngine('engine-4');
    expect(lost).toHaveLength(4);
    await engine4('stop');
    const { containerInstances } = await baton.describeContainerInstances({
      cluster,
      containerInstances: ['engine-4'],
    });
    await waitFor('engine-4 to be disconnected', 10_000, async () => {
      const [i] = (await baton.describeContainerInstances({ cluster, containerInstances: ['engine-4'] }))
        .containerInstances;
      return i?.agentConnected === false;
    });
    expect(containerInstances).toHaveLength(1);
    await waitFor(
      '4 RUNNING replacements on engine-1',
      60_000,
      async () => (await onEngine('engine-1')).length === 4,
    );
    const { tasks } = await baton.describeTasks({ cluster, tasks: lost.map((t) => t.taskArn) });
    expect(
      tasks.every(
        (t) =>
          t.lastStatus === 'STOPPED' &&
          t.stoppedReason === 'Task stopped because container instance engine-4 was lost',
      ),
    ).toBe(true);
    const [service] = (await baton.describeServices({ cluster, services: ['web'] })).services;
    expect(service!.events.map((e) => e.message)).toContain(
      '(service web) lost contact with container instance engine-4; replacing 4 tasks.',
    );

    await engine4('start');
    await waitFor(
      "the returning engine's stale containers to be stopped",
      60_000,
      async () => (await clusterContainers(endpoint4, cluster)).length === 0,
    );
    expect(await onEngine('engine-1')).toHaveLength(4);
  });
});
