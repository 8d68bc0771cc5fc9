import { arns } from '@baton-ecs/model';
import { containerLabels } from '@baton-ecs/reconciler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceAgent } from '../../src/index.js';
import {
  agentOptions,
  def,
  docker,
  engine1,
  newStore,
  newTask,
  removeClusterContainers,
  requireEngine,
  startAgent,
  type TestStore,
  taskDef,
  testImage,
  uniqueCluster,
  waitFor,
  waitForTask,
} from './harness.js';

const cluster = uniqueCluster('adopt');
const plainName = `plain-${cluster}`;
let store: TestStore;
const agents: InstanceAgent[] = [];

beforeAll(async () => {
  await requireEngine(engine1);
}, 20_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop({ waitForActions: false })));
  await removeClusterContainers(engine1, cluster);
  await docker(engine1)
    .getContainer(plainName)
    .remove({ force: true })
    .catch(() => undefined);
}, 20_000);

describe('InstanceAgent on a real engine: restart and adoption', () => {
  it('a restarted agent adopts running containers (none duplicated or restarted), removes a labelled orphan, leaves an unlabelled container alone', async () => {
    const s = await newStore();
    store = s.store;
    const options = agentOptions({ store: s.agentStore, cluster, instanceId: 'i-1', endpoint: engine1 });
    const first = await startAgent(options);
    agents.push(first);

    const td = taskDef('adopt', [
      def('a', { command: ['sleep', '600'] }),
      def('b', { command: ['sleep', '600'], dependsOn: [{ containerName: 'a', condition: 'START' }] }),
    ]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'ad1');
    await store.create('Task', task);
    const running = await waitForTask(
      store,
      task.taskArn,
      'RUNNING',
      20_000,
      (x) => x.lastStatus === 'RUNNING',
    );
    await first.stop();

    const d = docker(engine1);
    const before = await d.listContainers({
      all: true,
      filters: { label: [`com.baton.cluster=${cluster}`] },
    });
    const startedBefore = await Promise.all(
      before.map(async (c) => (await d.getContainer(c.Id).inspect()).State.StartedAt),
    );

    // While no agent runs: a labelled container of a task the store does not know, and a plain one.
    const ghost = newTask(cluster, 'i-1', td, 'ghost');
    const orphan = await d.createContainer({
      name: `baton-${cluster}-ghost-a`,
      Image: testImage,
      Cmd: ['sleep', '600'],
      Labels: containerLabels(
        { ...ghost, containerInstanceArn: arns.containerInstance(cluster, 'i-1') },
        'a',
        1,
      ),
    });
    await orphan.start();
    const plain = await d.createContainer({
      name: plainName,
      Image: testImage,
      Cmd: ['sleep', '600'],
      Labels: { team: 'x' },
    });
    await plain.start();

    const second = await startAgent(options);
    agents.push(second);
    await waitFor('the orphan to be removed', 15_000, async () => {
      const inspected = await d
        .getContainer(orphan.id)
        .inspect()
        .catch(() => undefined);
      return inspected === undefined;
    });
    await second.sync();

    const after = await d.listContainers({ all: true, filters: { label: [`com.baton.cluster=${cluster}`] } });
    expect(after.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
    const startedAfter = await Promise.all(
      after.map(async (c) => (await d.getContainer(c.Id).inspect()).State.StartedAt),
    );
    expect(startedAfter.sort()).toEqual(startedBefore.sort());
    const t = await waitForTask(
      store,
      task.taskArn,
      'still RUNNING',
      5_000,
      (x) => x.lastStatus === 'RUNNING',
    );
    expect(t.containers.map((c) => c.runtimeId)).toEqual(running.containers.map((c) => c.runtimeId));
    expect(t.containers.every((c) => (c.restartCount ?? 0) === 0)).toBe(true);

    const plainNow = await d.getContainer(plain.id).inspect();
    expect(plainNow.State.Running).toBe(true);
  }, 40_000);
});
