import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceAgent } from '../../src/index.js';
import {
  agentOptions,
  def,
  dockerTimeMs,
  engine1,
  httpGet,
  inspectByName,
  newStore,
  newTask,
  removeClusterContainers,
  requireEngine,
  startAgent,
  type TestStore,
  taskDef,
  uniqueCluster,
  waitForTask,
} from './harness.js';

const cluster = uniqueCluster('start');
let store: TestStore;
let agent: InstanceAgent;

beforeAll(async () => {
  await requireEngine(engine1);
  const s = await newStore();
  store = s.store;
  agent = await startAgent(
    agentOptions({ store: s.agentStore, cluster, instanceId: 'i-1', endpoint: engine1 }),
  );
  expect(agent.connected).toBe(true);
}, 20_000);

afterAll(async () => {
  await agent?.stop({ waitForActions: false });
  await removeClusterContainers(engine1, cluster);
}, 20_000);

describe('InstanceAgent on a real engine: starting tasks', () => {
  it('registers the engine as a container instance with its resources and attributes', async () => {
    const e = await store.get('ContainerInstance', agent.containerInstanceArn);
    const i = e?.object;
    expect(i?.agentConnected).toBe(true);
    const cpu = i?.registeredResources.find((r) => r.name === 'CPU')?.integerValue ?? 0;
    expect(cpu).toBeGreaterThanOrEqual(1024);
    expect(cpu % 1024).toBe(0);
    expect(i?.registeredResources.find((r) => r.name === 'MEMORY')?.integerValue).toBeGreaterThan(0);
    expect(i?.attributes.map((a) => a.name)).toEqual(
      expect.arrayContaining(['ecs.os-type', 'ecs.cpu-architecture']),
    );
    expect(i?.engineEndpoint).toBe(engine1);
  });

  it('starts two containers in dependsOn order, publishes ports on 127.0.0.1 and reports networkBindings', async () => {
    const td = taskDef('web', [
      def('db', { command: ['sleep', '600'] }),
      def('web', {
        command: ['httpd', '-f', '-p', '80', '-h', '/www'],
        portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
        dependsOn: [{ containerName: 'db', condition: 'START' }],
      }),
    ]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'web1');
    await store.create('Task', task);

    const t = await waitForTask(store, task.taskArn, 'RUNNING', 20_000, (x) => x.lastStatus === 'RUNNING');
    expect(t.containers.map((c) => c.lastStatus)).toEqual(['RUNNING', 'RUNNING']);
    expect(t.startedAt).toBeDefined();
    expect(t.pullStartedAt).toBeDefined();

    // The engine's own start times prove the order.
    const db = await inspectByName(engine1, `baton-${cluster}-web1-db`);
    const web = await inspectByName(engine1, `baton-${cluster}-web1-web`);
    expect(dockerTimeMs(web.State.StartedAt)).toBeGreaterThanOrEqual(dockerTimeMs(db.State.StartedAt));
    expect(web.Config.Labels['com.baton.task-arn']).toBe(task.taskArn);
    expect(web.HostConfig.Memory).toBe(32 * 1024 * 1024);

    const binding = t.containers[1]?.networkBindings[0];
    expect(binding).toMatchObject({ bindIP: '127.0.0.1', containerPort: 80, protocol: 'tcp' });
    expect(binding?.hostPort).toBeGreaterThan(0);
    expect(await httpGet(binding?.hostPort ?? 0)).toContain('baton');
  }, 30_000);

  it('reports HEALTHY for a passing health check and UNHEALTHY for a failing one', async () => {
    const hc = (cmd: string[]) => ({ command: cmd, interval: 1, timeout: 1, retries: 1, startPeriod: 0 });
    const good = taskDef('good', [
      def('app', { command: ['sleep', '600'], healthCheck: hc(['CMD', 'true']) }),
    ]);
    const bad = taskDef('bad', [
      def('app', { command: ['sleep', '600'], healthCheck: hc(['CMD-SHELL', 'exit 1']) }),
    ]);
    await store.create('TaskDefinition', good);
    await store.create('TaskDefinition', bad);
    const g = newTask(cluster, 'i-1', good, 'good1');
    const b = newTask(cluster, 'i-1', bad, 'bad1');
    await store.create('Task', g);
    await store.create('Task', b);
    const gt = await waitForTask(store, g.taskArn, 'HEALTHY', 20_000, (x) => x.healthStatus === 'HEALTHY');
    expect(gt.containers[0]?.healthStatus).toBe('HEALTHY');
    const bt = await waitForTask(
      store,
      b.taskArn,
      'UNHEALTHY',
      20_000,
      (x) => x.healthStatus === 'UNHEALTHY',
    );
    expect(bt.lastStatus).toBe('RUNNING');
    expect(bt.containers[0]?.healthStatus).toBe('UNHEALTHY');
  }, 30_000);

  it('waits for a HEALTHY dependency before starting its dependent', async () => {
    const td = taskDef('healthy-dep', [
      def('db', {
        command: ['sleep', '600'],
        healthCheck: {
          command: ['CMD-SHELL', 'test -f /tmp/ready || { touch /tmp/ready; exit 1; }'],
          interval: 1,
          timeout: 1,
          retries: 1,
        },
      }),
      def('app', { command: ['sleep', '600'], dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
    ]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'hd1');
    await store.create('Task', task);
    const t = await waitForTask(store, task.taskArn, 'RUNNING', 25_000, (x) => x.lastStatus === 'RUNNING');
    const db = await inspectByName(engine1, `baton-${cluster}-hd1-db`);
    const app = await inspectByName(engine1, `baton-${cluster}-hd1-app`);
    // db needs two checks (one failing, one passing) before app may start.
    expect(dockerTimeMs(app.State.StartedAt) - dockerTimeMs(db.State.StartedAt)).toBeGreaterThanOrEqual(1000);
    expect(t.healthStatus).toBe('HEALTHY');
  }, 30_000);
});
