import { arns } from '@baton-ecs/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../src/index.js';
import {
  def,
  docker,
  engine1,
  engine2,
  httpGet,
  newStore,
  newTask,
  removeClusterContainers,
  requireEngine,
  type TestStore,
  taskDef,
  uniqueCluster,
  waitFor,
  waitForTask,
} from './harness.js';

const cluster = uniqueCluster('multi');
let store: TestStore;
let runtime: DockerRuntime;

beforeAll(async () => {
  await requireEngine(engine1);
  await requireEngine(engine2);
  const s = await newStore();
  store = s.store;
  runtime = new DockerRuntime({
    store: s.agentStore,
    cluster,
    engines: [
      { endpoint: engine1, instanceId: 'i-a', attributes: { 'ecs.availability-zone': 'zone-a' } },
      {
        endpoint: engine2,
        instanceId: 'i-b',
        attributes: { 'ecs.availability-zone': 'zone-b', 'ecs.instance-type': 'small' },
      },
    ],
    resyncIntervalMs: 2_000,
    heartbeatIntervalMs: 300,
    settings: { imagePullBehavior: 'prefer-cached' },
  });
  await runtime.start();
}, 20_000);

afterAll(async () => {
  await runtime?.stop({ waitForActions: false });
  await removeClusterContainers(engine1, cluster);
  await removeClusterContainers(engine2, cluster);
}, 20_000);

describe('DockerRuntime: one container instance per engine', () => {
  it('registers each engine with its own resources and attributes', async () => {
    const a = (await store.get('ContainerInstance', arns.containerInstance(cluster, 'i-a')))?.object;
    const b = (await store.get('ContainerInstance', arns.containerInstance(cluster, 'i-b')))?.object;
    const info = (await docker(engine2).info()) as { NCPU: number; MemTotal: number };
    expect(b?.registeredResources.find((r) => r.name === 'CPU')?.integerValue).toBe(info.NCPU * 1024);
    expect(b?.registeredResources.find((r) => r.name === 'MEMORY')?.integerValue).toBe(
      Math.floor(info.MemTotal / (1024 * 1024)),
    );
    const attrs = (i: typeof a) => Object.fromEntries((i?.attributes ?? []).map((x) => [x.name, x.value]));
    expect(attrs(a)).toMatchObject({ 'ecs.availability-zone': 'zone-a', 'ecs.os-type': 'linux' });
    expect(attrs(b)).toMatchObject({ 'ecs.availability-zone': 'zone-b', 'ecs.instance-type': 'small' });
    expect(attrs(b)['ecs.cpu-architecture']).toMatch(/^(x86_64|arm64)$/);
    expect(b?.engineEndpoint).toBe(engine2);
  });

  it('runs each task on the engine of the instance it is assigned to, with ports on 127.0.0.1', async () => {
    const td = taskDef('multi', [
      def('web', {
        command: ['httpd', '-f', '-p', '80', '-h', '/www'],
        portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
      }),
    ]);
    await store.create('TaskDefinition', td);
    const ta = newTask(cluster, 'i-a', td, 'ma');
    const tb = newTask(cluster, 'i-b', td, 'mb');
    await store.create('Task', ta);
    await store.create('Task', tb);
    const [ra, rb] = await Promise.all([
      waitForTask(store, ta.taskArn, 'RUNNING on engine 1', 20_000, (x) => x.lastStatus === 'RUNNING'),
      waitForTask(store, tb.taskArn, 'RUNNING on engine 2', 20_000, (x) => x.lastStatus === 'RUNNING'),
    ]);
    const onEngine = async (endpoint: string) =>
      (await docker(endpoint).listContainers({ filters: { label: [`com.baton.cluster=${cluster}`] } })).map(
        (c) => c.Labels['com.baton.task-arn'],
      );
    expect(await onEngine(engine1)).toEqual([ta.taskArn]);
    expect(await onEngine(engine2)).toEqual([tb.taskArn]);
    for (const t of [ra, rb]) {
      const port = t.containers[0]?.networkBindings[0]?.hostPort ?? 0;
      expect(await httpGet(port)).toContain('baton');
    }
    await waitFor('instance i-a to count its running task', 5_000, async () => {
      const i = (await store.get('ContainerInstance', arns.containerInstance(cluster, 'i-a')))?.object;
      return i?.runningTasksCount === 1 && i.pendingTasksCount === 0;
    });
  }, 30_000);
});
