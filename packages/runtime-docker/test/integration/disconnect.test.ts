import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceAgent } from '../../src/index.js';
import {
  agentOptions,
  def,
  docker,
  newStore,
  newTask,
  startAgent,
  type TestStore,
  taskDef,
  uniqueCluster,
  waitFor,
  waitForTask,
} from './harness.js';

// Engine 3 belongs to this test alone: it stops and restarts the daemon, which no other test may share.
const script = fileURLToPath(new URL('../../../../scripts/docker-engine.sh', import.meta.url));
const run = promisify(execFile);
const engine = (command: 'start' | 'stop' | 'destroy') =>
  run('bash', [script, command, '3'], { timeout: 60_000 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(
      `scripts/docker-engine.sh ${command} 3 failed (needs root): ${err.stderr ?? err.message}`,
    );
  });
const endpoint = 'unix:///var/run/baton/docker-3.sock';

const cluster = uniqueCluster('disc');
let store: TestStore;
let agent: InstanceAgent | undefined;

beforeAll(async () => {
  await engine('start');
}, 60_000);

afterAll(async () => {
  await agent?.stop({ waitForActions: false });
  await engine('destroy');
}, 60_000);

describe('InstanceAgent: an engine that stops answering', () => {
  it('daemon stopped → agentConnected=false; started again → re-synced (running containers adopted, pending stops done)', async () => {
    const s = await newStore();
    store = s.store;
    agent = await startAgent(agentOptions({ store: s.agentStore, cluster, instanceId: 'i-3', endpoint }));
    const td = taskDef('disc', [def('app', { command: ['sleep', '600'] })]);
    await store.create('TaskDefinition', td);
    const keep = newTask(cluster, 'i-3', td, 'keep');
    const drop = newTask(cluster, 'i-3', td, 'drop');
    await store.create('Task', keep);
    await store.create('Task', drop);
    const kept = await waitForTask(store, keep.taskArn, 'RUNNING', 20_000, (x) => x.lastStatus === 'RUNNING');
    await waitForTask(store, drop.taskArn, 'RUNNING', 20_000, (x) => x.lastStatus === 'RUNNING');
    const keptId = kept.containers[0]?.runtimeId ?? '';
    const startedAt = (await docker(endpoint).getContainer(keptId).inspect()).State.StartedAt;

    await engine('stop');
    const instance = async () =>
      (await store.get('ContainerInstance', agent?.containerInstanceArn ?? ''))?.object;
    await waitFor('agentConnected=false', 5_000, async () => (await instance())?.agentConnected === false);
    expect(agent.connected).toBe(false);

    // The control plane asks for a stop the agent cannot carry out until the engine is back.
    await store.update('Task', drop.taskArn, (d) => {
      d.desiredStatus = 'STOPPED';
      d.stopCode = 'UserInitiated';
    });
    // The moment has passed once a pass the agent began after the request has finished.
    await agent.sync();
    expect(agent.connected).toBe(false);
    expect((await store.get('Task', drop.taskArn))?.object.lastStatus).toBe('RUNNING');

    await engine('start');
    await waitFor('agentConnected=true', 10_000, async () => (await instance())?.agentConnected === true);
    await waitForTask(
      store,
      drop.taskArn,
      'STOPPED after reconnecting',
      15_000,
      (x) => x.lastStatus === 'STOPPED',
    );
    const k = await waitForTask(
      store,
      keep.taskArn,
      'still RUNNING',
      5_000,
      (x) => x.lastStatus === 'RUNNING',
    );
    expect(k.containers[0]?.runtimeId).toBe(keptId);
    const again = await docker(endpoint).getContainer(keptId).inspect();
    expect(again.State.Running).toBe(true);
    expect(again.State.StartedAt).toBe(startedAt);
  }, 60_000);
});
