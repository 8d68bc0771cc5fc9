import { BatonApiError } from 'baton-ecs';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

const web = (image = 'web:1', extra: Record<string, unknown> = {}) => ({
  family: 'web',
  containerDefinitions: [
    { name: 'web', image, memory: 256, portMappings: [{ containerPort: 80 }], ...extra },
  ],
});

function cluster(seed = 1) {
  return new Simulation({
    seed,
    instances: [
      { id: 'i-a1', zone: 'az-a' },
      { id: 'i-b1', zone: 'az-b' },
      { id: 'i-c1', zone: 'az-c' },
    ],
  });
}

describe('simulated cluster', () => {
  it('converges a new service to desiredCount healthy tasks and says so', async () => {
    const sim = cluster();
    await sim.registerTaskDefinition(web());
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 3 });
    expect(await sim.runUntilSteady('web', 120_000)).toBe(true);
    expect(sim.healthyTasks('web')).toHaveLength(3);
    const s = sim.service('web');
    expect(s.runningCount).toBe(3);
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 3 });
    expect(sim.events('web')[0]).toBe('(service web) has reached a steady state.');
    expect(sim.events('web')).toContainEqual(
      expect.stringMatching(/^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\)/),
    );
    // Spread over zones by default.
    expect(new Set(sim.tasks('web').map((t) => t.availabilityZone))).toEqual(
      new Set(['az-a', 'az-b', 'az-c']),
    );
  });

  it('is deterministic for a seed', async () => {
    const run = async (seed: number) => {
      const sim = cluster(seed);
      await sim.registerTaskDefinition(web());
      await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 5 });
      await sim.runUntilSteady('web', 120_000);
      return sim.tasks('web').map((t) => `${t.taskArn}@${t.containerInstanceArn}`);
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it('scales out and in', async () => {
    const sim = cluster();
    await sim.registerTaskDefinition(web());
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
    await sim.runUntilSteady('web', 120_000);
    await sim.updateService('web', { desiredCount: 6 });
    expect(await sim.runUntil((s) => s.healthyTasks('web').length === 6, 120_000)).toBe(true);
    await sim.updateService('web', { desiredCount: 1 });
    expect(
      await sim.runUntil((s) => s.liveTasks('web').length === 1 && s.tasks('web').length === 1, 120_000),
    ).toBe(true);
    expect(sim.events('web').join('\n')).toMatch(/has stopped 5 running tasks/);
  });

  it('replaces a task whose essential container exits', async () => {
    const sim = cluster();
    await sim.registerTaskDefinition(web());
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 3 });
    await sim.runUntilSteady('web', 120_000);
    const victim = sim.tasks('web')[0]!;
    await sim.killTask(victim.taskArn);
    await sim.step();
    expect(sim.liveTasks('web')).toHaveLength(3);
    expect(sim.liveTasks('web').map((t) => t.taskArn)).not.toContain(victim.taskArn);
    expect(await sim.runUntil((s) => s.healthyTasks('web').length === 3, 120_000)).toBe(true);
  });
});

describe('no-op passes', () => {
  it('return the very same service object, so there is nothing to write', async () => {
    const sim = new Simulation({ seed: 1, instances: [{ id: 'i-1' }] });
    await sim.registerTaskDefinition(web());
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
    expect(await sim.runUntilSteady('web', 120_000)).toBe(true);
    await sim.step(); // the steady-state event is written once
    // Each plan is compared with the service as it stood before that pass.
    const plans: { same: boolean; starts: number; stops: number }[] = [];
    let before = sim.service('web');
    sim.onPlan((_, plan) => {
      plans.push({
        same: plan.service === before,
        starts: plan.startTasks.length,
        stops: plan.stopTasks.length,
      });
      before = plan.service;
    });
    await sim.run(10_000);
    expect(plans.length).toBeGreaterThan(5);
    expect(plans.every((p) => p.same && p.starts === 0 && p.stops === 0)).toBe(true);
  });
});

describe('the ECS API', () => {
  it('refuses what a real Baton refuses, with the same error', async () => {
    const sim = cluster();
    await sim.registerTaskDefinition(web());
    const err = await sim
      .createService({
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1,
        loadBalancers: [{ containerName: 'nope', containerPort: 80, targetGroupArn: 'arn:tg' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatonApiError);
    expect(err).toMatchObject({ code: 'InvalidParameterException' });
    expect((err as Error).message).toMatch(/loadBalancers\[0\]\.containerName/);
    await expect(sim.runTask('web', 11)).rejects.toMatchObject({ code: 'LimitExceededException' });
    await sim.stop();
  });

  it('a stopped task keeps the first stopCode given, as the service controller does', async () => {
    const sim = cluster();
    await sim.registerTaskDefinition(web());
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 1 });
    expect(await sim.runUntilSteady('web', 120_000)).toBe(true);
    const [task] = sim.tasks('web');
    await sim.stopTask(task!.taskArn, 'by hand');
    await sim.updateService('web', { desiredCount: 0 });
    expect(await sim.runUntil((s) => s.task(task!.taskArn).lastStatus === 'STOPPED', 60_000)).toBe(true);
    expect(sim.task(task!.taskArn)).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'by hand' });
    await sim.stop();
  });
});
