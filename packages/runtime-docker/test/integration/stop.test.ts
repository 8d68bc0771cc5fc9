import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceAgent } from '../../src/index.js';
import {
  agentOptions,
  def,
  dockerTimeMs,
  engine1,
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

const cluster = uniqueCluster('stop');
let store: TestStore;
let agent: InstanceAgent;

beforeAll(async () => {
  await requireEngine(engine1);
  const s = await newStore();
  store = s.store;
  agent = await startAgent(
    agentOptions({ store: s.agentStore, cluster, instanceId: 'i-1', endpoint: engine1 }),
  );
}, 20_000);

afterAll(async () => {
  await agent?.stop({ waitForActions: false });
  await removeClusterContainers(engine1, cluster);
}, 20_000);

// Ignores SIGTERM, so only SIGKILL (after stopTimeout) ends it.
const stubborn = ['sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done'];
// Exits 42 on SIGTERM: proves the signal arrived.
const polite = ['sh', '-c', 'trap "exit 42" TERM; while true; do sleep 0.2; done'];

describe('InstanceAgent on a real engine: stopping tasks', () => {
  it('an essential container exits → STOPPED with EssentialContainerExited, the other killed after its stopTimeout', async () => {
    const td = taskDef('essential', [
      def('main', { command: ['sh', '-c', 'sleep 1; exit 3'] }),
      def('side', { essential: false, command: stubborn, stopTimeout: 2 }),
    ]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'ess1');
    await store.create('Task', task);
    const t = await waitForTask(store, task.taskArn, 'STOPPED', 25_000, (x) => x.lastStatus === 'STOPPED');
    expect(t.stopCode).toBe('EssentialContainerExited');
    expect(t.stoppedReason).toBe('Essential container in task exited');
    expect(t.desiredStatus).toBe('STOPPED');
    expect(t.containers.map((c) => [c.name, c.lastStatus, c.exitCode])).toEqual([
      ['main', 'STOPPED', 3],
      ['side', 'STOPPED', 137],
    ]);
    const side = await inspectByName(engine1, `baton-${cluster}-ess1-side`);
    const killedAfter = dockerTimeMs(side.State.FinishedAt) - (t.stoppingAt ?? 0);
    expect(killedAfter).toBeGreaterThanOrEqual(1500);
    expect(killedAfter).toBeLessThan(6000);
  }, 30_000);

  it('a non-essential container with a restartPolicy is restarted in place', async () => {
    const td = taskDef('restart', [
      def('main', { command: ['sleep', '600'] }),
      def('side', {
        essential: false,
        command: ['sh', '-c', 'sleep 1.2; exit 1'],
        // Below ECS's 60 s minimum: tests build task definitions from the model types directly.
        restartPolicy: { enabled: true, ignoredExitCodes: [], restartAttemptPeriod: 1 },
      }),
    ]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'rst1');
    await store.create('Task', task);
    const first = await waitForTask(
      store,
      task.taskArn,
      'RUNNING',
      20_000,
      (x) => x.lastStatus === 'RUNNING',
    );
    const firstId = first.containers[1]?.runtimeId;
    const t = await waitForTask(
      store,
      task.taskArn,
      'side restarted',
      20_000,
      (x) => (x.containers[1]?.restartCount ?? 0) >= 1,
    );
    expect(t.lastStatus).toBe('RUNNING');
    expect(t.containers[1]?.runtimeId).toBe(firstId);
    expect(t.stopCode).toBeUndefined();
  }, 30_000);

  it('desiredStatus STOPPED → SIGTERM to every container, SIGKILL after stopTimeout to those that ignore it', async () => {
    const td = taskDef('user-stop', [
      def('app', { command: polite, stopTimeout: 2 }),
      def('sidecar', {
        command: stubborn,
        stopTimeout: 2,
        dependsOn: [{ containerName: 'app', condition: 'START' }],
      }),
    ]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'us1');
    await store.create('Task', task);
    await waitForTask(store, task.taskArn, 'RUNNING', 20_000, (x) => x.lastStatus === 'RUNNING');
    await store.update('Task', task.taskArn, (d) => {
      d.desiredStatus = 'STOPPED';
      d.stopCode = 'UserInitiated';
      d.stoppedReason = 'Task stopped by test';
    });
    const t = await waitForTask(store, task.taskArn, 'STOPPED', 20_000, (x) => x.lastStatus === 'STOPPED');
    expect(t.stopCode).toBe('UserInitiated');
    expect(t.stoppedReason).toBe('Task stopped by test');
    expect(t.containers.map((c) => [c.name, c.exitCode])).toEqual([
      ['app', 42],
      ['sidecar', 137],
    ]);
    // Reverse dependency order: the sidecar (which depends on app) is stopped first, app after it exits.
    const app = await inspectByName(engine1, `baton-${cluster}-us1-app`);
    const sidecar = await inspectByName(engine1, `baton-${cluster}-us1-sidecar`);
    const sidecarAfter = dockerTimeMs(sidecar.State.FinishedAt) - (t.stoppingAt ?? 0);
    expect(sidecarAfter).toBeGreaterThanOrEqual(1500);
    expect(dockerTimeMs(app.State.FinishedAt)).toBeGreaterThanOrEqual(dockerTimeMs(sidecar.State.FinishedAt));
  }, 30_000);

  it('an image that cannot be pulled → STOPPED with CannotPullContainerError', async () => {
    const td = taskDef('nopull', [def('app', { image: '127.0.0.1:1/nope:1', command: ['true'] })]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'np1');
    await store.create('Task', task);
    const t = await waitForTask(store, task.taskArn, 'STOPPED', 25_000, (x) => x.lastStatus === 'STOPPED');
    expect(t.stopCode).toBe('TaskFailedToStart');
    expect(t.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(t.startedAt).toBeUndefined();
  }, 30_000);

  it('a container whose command cannot run → STOPPED with CannotStartContainerError', async () => {
    const td = taskDef('nostart', [def('app', { command: ['/no/such/binary'] })]);
    await store.create('TaskDefinition', td);
    const task = newTask(cluster, 'i-1', td, 'ns1');
    await store.create('Task', task);
    const t = await waitForTask(store, task.taskArn, 'STOPPED', 20_000, (x) => x.lastStatus === 'STOPPED');
    expect(t.stopCode).toBe('TaskFailedToStart');
    expect(t.stoppedReason).toMatch(/^CannotStartContainerError: .*no\/such\/binary/);
  }, 30_000);
});
