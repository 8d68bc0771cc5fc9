import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

const td = (family: string, extra: Record<string, unknown> = {}) => ({
  family,
  containerDefinitions: [{ name: family, image: `${family}:1`, memory: 128 }],
  ...extra,
});

const threeZones = () =>
  new Simulation({
    seed: 11,
    instanceLostAfterMs: 60_000,
    instances: [
      { id: 'i-a1', zone: 'az-a' },
      { id: 'i-a2', zone: 'az-a' },
      { id: 'i-b1', zone: 'az-b' },
      { id: 'i-b2', zone: 'az-b' },
    ],
  });

describe('container instances', () => {
  it('draining an instance moves its tasks within the deployment limits, and standalone tasks stay', async () => {
    const sim = threeZones();
    await sim.registerTaskDefinition(td('web'));
    await sim.createService({
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 4,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
    });
    expect(await sim.runUntilSteady('web')).toBe(true);
    const onA1 = sim.tasks('web').filter((t) => t.containerInstanceArn?.endsWith('/i-a1'));
    expect(onA1.length).toBeGreaterThan(0);
    let minHealthy = Infinity;
    sim.onStep((s) => {
      minHealthy = Math.min(minHealthy, s.healthyTasks('web').length);
    });
    await sim.drainInstance('i-a1');
    expect(
      await sim.runUntil(
        (s) =>
          s.tasks('web').every((t) => !t.containerInstanceArn?.endsWith('/i-a1')) &&
          s.healthyTasks('web').length === 4,
        10 * 60_000,
      ),
    ).toBe(true);
    expect(minHealthy).toBeGreaterThanOrEqual(4);
    expect(sim.events('web').join('\n')).toMatch(/because container instance i-a1 is DRAINING|has stopped/);
  });

  it('a disconnected instance gets no new tasks, and its tasks are replaced once it is lost', async () => {
    const sim = threeZones();
    await sim.registerTaskDefinition(td('web'));
    await sim.createService({
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 4,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
    });
    expect(await sim.runUntilSteady('web')).toBe(true);
    const onB2 = sim.tasks('web').filter((t) => t.containerInstanceArn?.endsWith('/i-b2'));
    expect(onB2).toHaveLength(1);
    await sim.disconnectInstance('i-b2');
    await sim.run(30_000);
    // Not lost yet: nothing replaced.
    expect(sim.task(onB2[0]!.taskArn).desiredStatus).toBe('RUNNING');
    await sim.run(40_000);
    const lost = sim.task(onB2[0]!.taskArn);
    expect(lost).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPED',
      stoppedReason: 'Task stopped because container instance i-b2 was lost',
      stopCode: 'InfrastructureHealth',
    });
    expect(sim.events('web').join('\n')).toMatch(
      /lost contact with container instance i-b2; replacing 1 task/,
    );
    expect(await sim.runUntil((s) => s.healthyTasks('web').length === 4, 5 * 60_000)).toBe(true);
    expect(sim.tasks('web').some((t) => t.containerInstanceArn?.endsWith('/i-b2'))).toBe(false);
  });

  it('DAEMON: one task per eligible instance, none on DRAINING, follows constraints, stops last', async () => {
    const sim = new Simulation({
      seed: 2,
      instances: [
        { id: 'i-1', attributes: { role: 'web' } },
        { id: 'i-2', attributes: { role: 'web' } },
        { id: 'i-3', attributes: { role: 'gpu' } },
      ],
    });
    await sim.registerTaskDefinition(td('agent'));
    await sim.registerTaskDefinition(td('web'));
    await sim.createService({
      serviceName: 'agent',
      taskDefinition: 'agent',
      schedulingStrategy: 'DAEMON',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:role != gpu' }],
    });
    await sim.createService({
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 2,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:role == web' }],
    });
    expect(
      await sim.runUntil(
        (s) => s.healthyTasks('agent').length === 2 && s.healthyTasks('web').length === 2,
        120_000,
      ),
    ).toBe(true);
    const where = () =>
      sim
        .tasks('agent')
        .map((t) => t.containerInstanceArn!.split('/').pop())
        .sort();
    expect(where()).toEqual(['i-1', 'i-2']);

    await sim.addInstance({ id: 'i-4', attributes: { role: 'web' } });
    expect(await sim.runUntil((s) => s.healthyTasks('agent').length === 3, 120_000)).toBe(true);
    expect(where()).toEqual(['i-1', 'i-2', 'i-4']);

    // Draining: the web task leaves i-1 first; the agent stops only after it.
    let webGoneAt = 0;
    let agentGoneAt = 0;
    sim.onStep((s) => {
      const on = (svc: string) => s.tasks(svc).some((t) => t.containerInstanceArn?.endsWith('/i-1'));
      if (!webGoneAt && !on('web')) webGoneAt = s.now;
      if (!agentGoneAt && !on('agent')) agentGoneAt = s.now;
    });
    await sim.drainInstance('i-1');
    expect(await sim.runUntil(() => agentGoneAt > 0, 10 * 60_000)).toBe(true);
    expect(webGoneAt).toBeGreaterThan(0);
    expect(agentGoneAt).toBeGreaterThanOrEqual(webGoneAt);
    expect(where()).toEqual(['i-2', 'i-4']);
  });

  it('DAEMON rolls a new revision instance by instance', async () => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-1' }, { id: 'i-2' }, { id: 'i-3' }] });
    await sim.registerTaskDefinition(td('agent'));
    await sim.createService({ serviceName: 'agent', taskDefinition: 'agent', schedulingStrategy: 'DAEMON' });
    expect(await sim.runUntilSteady('agent')).toBe(true);
    let maxLive = 0;
    sim.onStep((s) => {
      maxLive = Math.max(maxLive, s.liveTasks('agent').length);
    });
    await sim.registerTaskDefinition(td('agent'));
    await sim.updateService('agent', { taskDefinition: 'agent:2' });
    expect(await sim.runUntilSteady('agent')).toBe(true);
    expect(sim.tasks('agent').map((t) => t.taskDefinitionArn.split(':').pop())).toEqual(['2', '2', '2']);
    expect(maxLive).toBeLessThanOrEqual(3);
  });

  // DAEMON maximumPercent is 100 (ecs_services.html, Daemon) and bounds tasks RUNNING, PENDING or
  // STOPPING (deployment-type-ecs.html): on each instance the new revision starts once the old task stopped.
  it('DAEMON: a new revision waits for the old task to have STOPPED, never more than one task per instance', async () => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-1' }, { id: 'i-2' }, { id: 'i-3' }] });
    await sim.registerTaskDefinition(td('agent'));
    await sim.createService({ serviceName: 'agent', taskDefinition: 'agent', schedulingStrategy: 'DAEMON' });
    expect(await sim.runUntilSteady('agent')).toBe(true);
    await sim.registerTaskDefinition(td('agent'));
    sim.setBehaviour('agent:1', { stopMs: 20_000 });
    let most = 0;
    let mostOnOneInstance = 0;
    let sawStopping = false;
    sim.onStep((s) => {
      const alive = s.tasks('agent'); // every task not yet STOPPED, STOPPING ones included
      most = Math.max(most, alive.length);
      sawStopping ||= alive.some((t) => t.desiredStatus === 'STOPPED');
      const perInstance = new Map<string, number>();
      for (const t of alive)
        perInstance.set(t.containerInstanceArn!, (perInstance.get(t.containerInstanceArn!) ?? 0) + 1);
      mostOnOneInstance = Math.max(mostOnOneInstance, ...perInstance.values());
    });
    await sim.updateService('agent', { taskDefinition: 'agent:2' });
    expect(await sim.runUntilSteady('agent', 10 * 60_000)).toBe(true);
    expect(sim.tasks('agent').map((t) => t.taskDefinitionArn.split(':').pop())).toEqual(['2', '2', '2']);
    expect(sawStopping).toBe(true);
    expect(most).toBe(3);
    expect(mostOnOneInstance).toBe(1);
  });

  // task-placement-constraints.html, built-in attributes: ecs.os-family (LINUX on Linux instances).
  it('places by the ecs.os-family attribute', async () => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-1' }] });
    await sim.registerTaskDefinition(td('web'));
    const constrained = (serviceName: string, family: string) =>
      sim.createService({
        serviceName,
        taskDefinition: 'web',
        desiredCount: 1,
        placementConstraints: [{ type: 'memberOf', expression: `attribute:ecs.os-family == ${family}` }],
      });
    await constrained('linux', 'LINUX');
    await constrained('windows', 'WINDOWS_SERVER_2022_FULL');
    expect(await sim.runUntilSteady('linux')).toBe(true);
    await sim.run(5_000);
    expect(sim.tasks('windows')).toEqual([]);
    expect(sim.events('windows')[0]).toMatch(
      /was unable to place a task because no container instance met all of its requirements/,
    );
  });

  it('deleting a service drains it to INACTIVE', async () => {
    const sim = threeZones();
    await sim.registerTaskDefinition(td('web'));
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 3 });
    expect(await sim.runUntilSteady('web')).toBe(true);
    await sim.deleteService('web');
    expect(await sim.runUntil((s) => s.service('web').status === 'INACTIVE', 120_000)).toBe(true);
    expect(sim.tasks('web')).toEqual([]);
    expect(sim.events('web')[0]).toBe('(service web) has been drained and is now INACTIVE.');
  });

  it('says why a task cannot be placed', async () => {
    const sim = new Simulation({ seed: 1, instances: [{ id: 'i-1', memory: 256 }] });
    await sim.registerTaskDefinition({
      family: 'big',
      containerDefinitions: [{ name: 'big', image: 'big', memory: 1024 }],
    });
    await sim.createService({ serviceName: 'big', taskDefinition: 'big', desiredCount: 1 });
    await sim.step();
    expect(sim.events('big')[0]).toMatch(
      /^\(service big\) was unable to place a task because no container instance met all of its requirements\. The closest matching container-instance .* has insufficient memory available\./,
    );
  });
});

describe('standalone tasks (RunTask)', () => {
  it('are placed once, never replaced, and left alone by draining', async () => {
    const sim = new Simulation({
      seed: 4,
      instances: [
        { id: 'i-1', zone: 'az-a' },
        { id: 'i-2', zone: 'az-b' },
      ],
    });
    await sim.registerTaskDefinition(td('job'));
    const plan = await sim.runTask('job', 2, { startedBy: 'nightly' });
    expect(plan.failures).toEqual([]);
    expect(plan.tasks.map((t) => [t.group, t.startedBy])).toEqual([
      ['family:job', 'nightly'],
      ['family:job', 'nightly'],
    ]);
    await sim.run(10_000);
    expect(sim.tasks().filter((t) => t.lastStatus === 'RUNNING')).toHaveLength(2);
    const [first, second] = plan.tasks;
    await sim.killTask(first!.taskArn);
    await sim.drainInstance(second!.containerInstanceArn!.split('/').pop()!);
    await sim.run(60_000);
    expect(sim.tasks()).toHaveLength(1);
    expect(sim.task(second!.taskArn).desiredStatus).toBe('RUNNING');
  });

  it('reports what could not be placed, as ECS failures', async () => {
    const sim = new Simulation({ seed: 4, instances: [{ id: 'i-1', memory: 300 }] });
    await sim.registerTaskDefinition({
      family: 'job',
      containerDefinitions: [{ name: 'job', image: 'job', memory: 200 }],
    });
    const plan = await sim.runTask('job', 3);
    expect(plan.tasks).toHaveLength(1);
    expect(plan.failures).toHaveLength(1);
    expect(plan.failures[0]!.count).toBe(2);
    expect(plan.failures[0]!.reason).toMatch(/insufficient memory/);
  });
});
