import { arns, type Task, type TaskDefinition } from '@baton-ecs/model';
import { batonLabels } from '@baton-ecs/reconciler';
import { agentKinds, InstanceAgent, storeAgentStore } from '@baton-ecs/runtime-docker';
import { createMemoryStore } from '@baton-ecs/store';
import { ManualClock } from 'baton-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { def, newTask, taskDef } from '../../runtime-docker/test/records.js';
import type { ContainerBehaviour, PullBehaviour } from '../src/index.js';
import { SimulatedEngine } from '../src/index.js';

/**
 * The production task agent (runtime-docker's InstanceAgent and the reconciler's pure agent plan)
 * over the simulated engine, without Docker: one ManualClock drives the engine's delays and the
 * agent's heartbeats, resyncs and requeues, so every run is the same.
 *
 * Planted bugs this file was checked to catch (each made a test here fail, then was reverted):
 * - executor.ts records a failed pull as `ok: true` → "a refused pull" fails (task RUNNING).
 * - failures.ts `essentialExited` stopCode changed to `TaskFailedToStart` → "an essential container
 *   that exits" fails.
 * - instance-agent.ts observe() keeps a cached container after an event about it (dirty ignored) →
 *   the agent starts it again and again: "never came to rest".
 * - instance-agent.ts heartbeats on `setInterval` instead of the injected clock → the reconnect test
 *   never sees the instance connected again within virtual time.
 * - instance-agent.ts watching events of another label → the exit and health tests fail.
 */

const cluster = 'sim';
const instanceId = 'i-1';
const instanceArn = arns.containerInstance(cluster, instanceId);

interface Rig {
  readonly clock: ManualClock;
  readonly engine: SimulatedEngine;
  readonly store: Awaited<ReturnType<typeof createMemoryStore<typeof agentKinds>>>;
  agent: InstanceAgent;
  behaviour: ContainerBehaviour;
  pulls: PullBehaviour;
  startAgent(): Promise<InstanceAgent>;
  /** Lets virtual time pass in small steps, letting the agent react after each. */
  run(ms: number): Promise<void>;
  task(taskArn: string): Promise<Task>;
  runUntil(what: string, ms: number, done: () => Promise<boolean>): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.agent.stop({ waitForActions: false });
});

async function rig(): Promise<Rig> {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const store = await createMemoryStore({ kinds: agentKinds, clock: () => clock.now() });
  const r: Rig = {
    clock,
    store,
    engine: new SimulatedEngine({
      clock,
      name: 'sim-1',
      containers: () => r.behaviour,
      pulls: () => r.pulls,
    }),
    agent: undefined as unknown as InstanceAgent,
    behaviour: { startMs: 500 },
    pulls: { pullMs: 1_000 },
    async startAgent() {
      r.agent = new InstanceAgent({
        store: storeAgentStore(store, { clock }),
        engine: r.engine,
        clock,
        cluster,
        instanceId,
        endpoint: r.engine.endpoint,
        settings: { taskCleanupWaitMs: 60_000 },
      });
      await r.agent.start();
      await settle(r.agent, r.engine);
      return r.agent;
    },
    async run(ms) {
      for (let t = 0; t < ms; t += 100) {
        clock.advance(100);
        await settle(r.agent, r.engine);
      }
    },
    async task(taskArn) {
      return (await store.get('Task', taskArn))!.object;
    },
    async runUntil(what, ms, done) {
      for (let t = 0; t < ms; t += 100) {
        if (await done()) return;
        clock.advance(100);
        await settle(r.agent, r.engine);
      }
      if (!(await done())) throw new Error(`${what} did not happen within ${ms} virtual ms`);
    },
  };
  rigs.push(r);
  return r;
}

/** Until the agent has nothing to do that does not wait on the clock (an agent that never rests fails). */
async function settle(agent: InstanceAgent, engine: SimulatedEngine): Promise<void> {
  for (let turns = 0; turns < 1_000; turns++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (agent.idle && !engine.busy) return;
  }
  throw new Error('the agent never came to rest: it keeps reconciling without time passing');
}

async function withTask(r: Rig, td: TaskDefinition, id = 't1'): Promise<string> {
  await r.store.create('TaskDefinition', td);
  const task = newTask(cluster, instanceId, td, id);
  await r.store.create('Task', task);
  return task.taskArn;
}

describe('the production agent over the simulated engine', () => {
  it('registers the instance with what the engine reports', async () => {
    const r = await rig();
    await r.startAgent();
    const instance = (await r.store.get('ContainerInstance', instanceArn))?.object;
    expect(instance).toMatchObject({
      agentConnected: true,
      ec2InstanceId: 'i-1',
      engineEndpoint: 'sim://sim-1',
    });
    expect(instance?.registeredResources.find((x) => x.name === 'CPU')?.integerValue).toBe(2048);
  });

  it('pulls, creates and starts: the task goes RUNNING at the virtual time the engine took', async () => {
    const r = await rig();
    await r.startAgent();
    const arn = await withTask(r, taskDef('app', [def('web')]));
    const t0 = r.clock.now();
    await r.runUntil('RUNNING', 10_000, async () => (await r.task(arn)).lastStatus === 'RUNNING');
    const task = await r.task(arn);
    // Pull 1 s, start 0.5 s; the agent reacts within a 100 ms step.
    expect(task.startedAt! - t0).toBeGreaterThanOrEqual(1_500);
    expect(task.startedAt! - t0).toBeLessThanOrEqual(1_700);
    expect(r.engine.list()).toHaveLength(1);
    expect(r.engine.list()[0]).toMatchObject({ state: 'running', labels: { [batonLabels.taskArn]: arn } });
  });

  it('an essential container that exits stops the task with EssentialContainerExited and its exit code', async () => {
    const r = await rig();
    r.behaviour = { exitAfterMs: 3_000, exitCode: 3 };
    await r.startAgent();
    const arn = await withTask(r, taskDef('app', [def('web')]));
    await r.runUntil('STOPPED', 20_000, async () => (await r.task(arn)).lastStatus === 'STOPPED');
    const task = await r.task(arn);
    expect(task).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(task.containers[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 3 });
  });

  it('a refused start stops the task as TaskFailedToStart with the engine message', async () => {
    const r = await rig();
    r.behaviour = { startFailure: 'OCI runtime create failed: exec: "nope": not found' };
    await r.startAgent();
    const arn = await withTask(r, taskDef('app', [def('web')]));
    await r.runUntil('STOPPED', 20_000, async () => (await r.task(arn)).lastStatus === 'STOPPED');
    expect(await r.task(arn)).toMatchObject({
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotStartContainerError: OCI runtime create failed: exec: "nope": not found',
    });
  });

  it('a refused pull stops the task as TaskFailedToStart, and nothing is created', async () => {
    const r = await rig();
    r.pulls = { pullMs: 2_000, failure: 'pull access denied for app' };
    await r.startAgent();
    const arn = await withTask(r, taskDef('app', [def('web')]));
    await r.runUntil('STOPPED', 20_000, async () => (await r.task(arn)).lastStatus === 'STOPPED');
    expect(await r.task(arn)).toMatchObject({
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull access denied for app',
    });
    expect(r.engine.list()).toEqual([]);
  });

  it('reports health the engine reports, on the virtual clock', async () => {
    const r = await rig();
    r.behaviour = { healthyAfterMs: 4_000 };
    await r.startAgent();
    const check = { command: ['CMD', 'true'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 };
    const arn = await withTask(r, taskDef('app', [def('web', { healthCheck: check })]));
    await r.runUntil('RUNNING', 10_000, async () => (await r.task(arn)).lastStatus === 'RUNNING');
    expect((await r.task(arn)).healthStatus).toBe('UNKNOWN');
    const startedAt = (await r.task(arn)).startedAt!;
    await r.runUntil('HEALTHY', 10_000, async () => (await r.task(arn)).healthStatus === 'HEALTHY');
    expect(r.clock.now() - startedAt).toBeGreaterThanOrEqual(4_000);
    r.behaviour = { healthyAfterMs: 4_000, unhealthyAfterMs: 8_000 };
    r.engine.refresh();
    await r.runUntil('UNHEALTHY', 10_000, async () => (await r.task(arn)).healthStatus === 'UNHEALTHY');
  });

  it('stopping a task stops its containers, taking the time the engine takes', async () => {
    const r = await rig();
    r.behaviour = { stopMs: 5_000 };
    await r.startAgent();
    const arn = await withTask(r, taskDef('app', [def('web')]));
    await r.runUntil('RUNNING', 10_000, async () => (await r.task(arn)).lastStatus === 'RUNNING');
    await r.store.update('Task', arn, (t) => {
      t.desiredStatus = 'STOPPED';
    });
    await r.run(1_000);
    expect((await r.task(arn)).lastStatus).toBe('STOPPING');
    await r.runUntil('STOPPED', 10_000, async () => (await r.task(arn)).lastStatus === 'STOPPED');
    // Slower than the 2 s stop timeout: the engine killed it.
    expect((await r.task(arn)).containers[0]?.exitCode).toBe(137);
  });

  it('a restarted agent adopts the running containers instead of creating new ones', async () => {
    const r = await rig();
    await r.startAgent();
    const arn = await withTask(r, taskDef('app', [def('web')]));
    await r.runUntil('RUNNING', 10_000, async () => (await r.task(arn)).lastStatus === 'RUNNING');
    const [container] = r.engine.list();
    await r.agent.stop({ waitForActions: false });
    await r.run(10_000);
    await r.startAgent();
    await r.run(5_000);
    expect(r.engine.list().map((c) => c.id)).toEqual([container!.id]);
    expect(await r.task(arn)).toMatchObject({ lastStatus: 'RUNNING' });
    // The adopted container is the agent's: a stop reaches it.
    await r.store.update('Task', arn, (t) => {
      t.desiredStatus = 'STOPPED';
    });
    await r.runUntil('STOPPED', 10_000, async () => (await r.task(arn)).lastStatus === 'STOPPED');
    expect(r.engine.list()[0]?.state).toBe('exited');
  });

  it('an engine that stops answering marks the instance disconnected; back, it reconnects', async () => {
    const r = await rig();
    await r.startAgent();
    const instance = async () => (await r.store.get('ContainerInstance', instanceArn))!.object;
    const at = r.clock.now();
    r.engine.setReachable(false);
    await settle(r.agent, r.engine);
    // The event stream ended: the agent noticed at once, without waiting for a heartbeat.
    expect(await instance()).toMatchObject({ agentConnected: false, agentDisconnectedAt: at });
    r.engine.setReachable(true);
    await r.run(5_000);
    expect((await instance()).agentConnected).toBe(true);
    expect((await instance()).agentDisconnectedAt).toBeUndefined();
  });
});
