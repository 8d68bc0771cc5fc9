import type { ServicePlan } from '@baton-ecs/reconciler';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

const td = (image: string, extra: Record<string, unknown> = {}) => ({
  family: 'web',
  containerDefinitions: [{ name: 'web', image, memory: 128, ...extra }],
});

async function steadyService(opts: {
  desiredCount: number;
  min: number;
  max: number;
  instances?: number;
  breaker?: boolean;
  rollback?: boolean;
}) {
  const sim = new Simulation({
    seed: 3,
    instances: Array.from({ length: opts.instances ?? 4 }, (_, i) => ({
      id: `i-${i}`,
      zone: `az-${i % 3}`,
      memory: 8192,
    })),
  });
  await sim.registerTaskDefinition(td('web:1'));
  await sim.createService({
    serviceName: 'web',
    taskDefinition: 'web:1',
    desiredCount: opts.desiredCount,
    deploymentConfiguration: {
      minimumHealthyPercent: opts.min,
      maximumPercent: opts.max,
      deploymentCircuitBreaker: { enable: opts.breaker ?? false, rollback: opts.rollback ?? false },
    },
  });
  if (!(await sim.runUntilSteady('web', 10 * 60_000))) throw new Error('did not reach a steady state');
  return sim;
}

/** The first plan after switching to revision 2. */
async function firstRolloutPlan(sim: Simulation): Promise<ServicePlan> {
  let first: ServicePlan | undefined;
  await sim.registerTaskDefinition(td('web:2'));
  const off = sim.onPlan((_, plan) => {
    first ??= plan;
  });
  await sim.updateService('web', { taskDefinition: 'web:2' });
  await sim.step();
  off();
  return first!;
}

describe('rolling updates: ECS examples', () => {
  it('D=4, min 50, max 100 stops 2 old tasks first and starts 2 new ones once they have stopped', async () => {
    const sim = await steadyService({ desiredCount: 4, min: 50, max: 100 });
    let most = 0;
    sim.onStep((s) => {
      most = Math.max(most, s.tasks('web').length);
    });
    const plan = await firstRolloutPlan(sim);
    expect(plan.stopTasks).toHaveLength(2);
    // maximumPercent counts tasks still STOPPING: the new ones start after the old ones stop.
    expect(plan.startTasks).toHaveLength(0);
    expect(
      await sim.runUntil((s) => s.liveTasks('web').some((t) => t.taskDefinitionArn.endsWith(':2')), 60_000),
    ).toBe(true);
    expect(await sim.runUntilSteady('web')).toBe(true);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('D=2, min 75, max 100 can stop none and start none, and says so', async () => {
    const sim = await steadyService({ desiredCount: 2, min: 75, max: 100 });
    const plan = await firstRolloutPlan(sim);
    expect(plan.stopTasks).toEqual([]);
    expect(plan.startTasks).toEqual([]);
    expect(plan.events.map((e) => e.message)).toContain(
      '(service web) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.',
    );
    await sim.run(60_000);
    expect(sim.service('web').deployments.find((d) => d.status === 'PRIMARY')?.runningCount).toBe(0);
  });

  it('D=3, min 100, max 125 can start none', async () => {
    const sim = await steadyService({ desiredCount: 3, min: 100, max: 125 });
    const plan = await firstRolloutPlan(sim);
    expect(plan.startTasks).toEqual([]);
    expect(plan.stopTasks).toEqual([]);
    expect(plan.events.map((e) => e.message).join('\n')).toMatch(
      /unable to stop or start tasks during a deployment/,
    );
  });

  it('D=4, min 100, max 200 starts 4 new tasks before stopping any old one', async () => {
    const sim = await steadyService({ desiredCount: 4, min: 100, max: 200 });
    const plan = await firstRolloutPlan(sim);
    expect(plan.startTasks).toHaveLength(4);
    expect(plan.stopTasks).toHaveLength(0);
    expect(await sim.runUntilSteady('web')).toBe(true);
    const s = sim.service('web');
    expect(s.deployments.filter((d) => d.status !== 'INACTIVE')).toHaveLength(1);
    expect(sim.liveTasks('web').every((t) => t.taskDefinitionArn.endsWith(':2'))).toBe(true);
    // The old tasks the last pass stopped finish stopping a step later.
    expect(
      await sim.runUntil((x) => x.tasks('web').every((t) => t.taskDefinitionArn.endsWith(':2')), 60_000),
    ).toBe(true);
    expect(sim.events('web')).toContainEqual(
      expect.stringMatching(/\(deployment ecs-svc\/\d{19}\) deployment completed\./),
    );
    // Kept as the rollback target, the replaced deployment is no longer described: one deployment
    // is what `aws ecs wait services-stable` waits for.
    expect(s.deployments.some((d) => d.status === 'INACTIVE' && d.rolloutState === 'COMPLETED')).toBe(true);
    const [described] = (await sim.baton.describeServices({ services: ['web'] })).services;
    expect(described?.deployments.map((d) => d.status)).toEqual(['PRIMARY']);
  });
});

describe('circuit breaker', () => {
  it.each([
    [1, 3],
    [6, 3],
    [25, 13],
  ])('D=%d trips after %d tasks fail to start', async (desiredCount, threshold) => {
    const sim = await steadyService({ desiredCount, min: 100, max: 200, instances: 30, breaker: true });
    sim.setBehaviour('web:2', { failToStart: 'CannotPullContainerError: pull access denied' });
    await sim.registerTaskDefinition(td('web:2'));
    await sim.updateService('web', { taskDefinition: 'web:2' });
    expect(
      await sim.runUntil(
        (s) => s.service('web').deployments.some((d) => d.rolloutState === 'FAILED'),
        30 * 60_000,
      ),
    ).toBe(true);
    const failed = sim.service('web').deployments.find((d) => d.rolloutState === 'FAILED')!;
    expect(failed.failedTasks).toBeGreaterThanOrEqual(threshold);
    expect(failed.launchFailures).toBe(failed.failedTasks);
    // Failures stop counting past the threshold: no task launches after FAILED.
    const launched = sim
      .tasks('web', { includeStopped: true })
      .filter((t) => t.taskDefinitionArn.endsWith(':2')).length;
    await sim.run(60_000);
    expect(
      sim.tasks('web', { includeStopped: true }).filter((t) => t.taskDefinitionArn.endsWith(':2')).length,
    ).toBe(launched);
    // The old deployment keeps serving.
    expect(sim.healthyTasks('web').length).toBe(desiredCount);
    expect(failed.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
  });

  it('stage 2: tasks that run and then exit trip it too; rollback returns to the last completed revision', async () => {
    const sim = await steadyService({ desiredCount: 4, min: 100, max: 200, breaker: true, rollback: true });
    sim.setBehaviour('web:2', { exitAfterMs: 3_000 });
    await sim.registerTaskDefinition(td('web:2'));
    await sim.updateService('web', { taskDefinition: 'web:2' });
    expect(
      await sim.runUntil((s) => s.events('web').some((m) => m.includes('rolling back')), 30 * 60_000),
    ).toBe(true);
    expect(sim.service('web').taskDefinition).toMatch(/task-definition\/web:1$/);
    const failed = sim.service('web').deployments.find((d) => d.rolloutState === 'FAILED');
    expect(failed?.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed health checks.');
    expect(failed?.healthFailures).toBeGreaterThanOrEqual(3);
    expect(await sim.runUntilSteady('web')).toBe(true);
    expect(sim.healthyTasks('web')).toHaveLength(4);
    expect(sim.tasks('web').every((t) => t.taskDefinitionArn.endsWith(':1'))).toBe(true);
  });
});

describe('throttling', () => {
  it('backs off a service whose tasks never start, and a new task definition resets it', async () => {
    const sim = new Simulation({ seed: 5, instances: [{ id: 'i-1' }, { id: 'i-2' }] });
    await sim.registerTaskDefinition(td('web:1'));
    sim.setBehaviour('web:1', { failToStart: 'CannotPullContainerError: not found' });
    await sim.createService({ serviceName: 'web', taskDefinition: 'web:1', desiredCount: 1 });
    await sim.run(10 * 60_000);
    const attempts = sim.tasks('web', { includeStopped: true }).map((t) => t.createdAt!);
    // Without back-off a 1-task service would retry every few seconds: ~200 attempts in 10 minutes.
    expect(attempts.length).toBeLessThan(15);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[gaps.length - 1]!).toBeGreaterThan(gaps[0]! * 8);
    expect(sim.events('web')).toContain('(service web) is unable to consistently start tasks successfully.');
    expect(sim.service('web').launchThrottle?.consecutiveFailures).toBe(attempts.length);

    await sim.registerTaskDefinition(td('web:2'));
    await sim.updateService('web', { taskDefinition: 'web:2' });
    await sim.step();
    expect(sim.liveTasks('web').some((t) => t.taskDefinitionArn.endsWith(':2'))).toBe(true);
    expect(await sim.runUntilSteady('web')).toBe(true);
    expect(sim.service('web').launchThrottle).toBeUndefined();
  });
});

describe('unhealthy tasks', () => {
  it('are replaced, and the event says why', async () => {
    const sim = new Simulation({ seed: 9, instances: [{ id: 'i-1' }, { id: 'i-2' }] });
    const check = { healthCheck: { command: ['CMD', 'true'], interval: 5, retries: 1 } };
    await sim.registerTaskDefinition(td('web:1', check));
    await sim.createService({ serviceName: 'web', taskDefinition: 'web:1', desiredCount: 2 });
    expect(await sim.runUntilSteady('web')).toBe(true);
    const [sick] = sim.tasks('web');
    // From now on, this revision's tasks turn unhealthy after 5 minutes of running.
    sim.setBehaviour('web:1', { unhealthyAfterMs: 5 * 60_000 });
    expect(await sim.runUntil((s) => s.task(sick!.taskArn).desiredStatus === 'STOPPED', 10 * 60_000)).toBe(
      true,
    );
    expect(sim.task(sick!.taskArn).stoppedReason).toBe('Task failed container health checks');
    expect(sim.events('web').join('\n')).toMatch(/\(task [0-9a-f]{32}\) failed container health checks\./);
    expect(sim.liveTasks('web')).toHaveLength(2);
  });

  it('are not replaced during the health check grace period, then replaced first and stopped after', async () => {
    const sim = new Simulation({ seed: 9, instances: [{ id: 'i-1' }] });
    await sim.registerTaskDefinition(td('web:1', { healthCheck: { command: ['CMD', 'true'] } }));
    sim.setBehaviour('web:1', { unhealthyAfterMs: 1_000 });
    await sim.createService({
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
      healthCheckGracePeriodSeconds: 120,
    });
    await sim.run(60_000);
    const first = sim.tasks('web', { includeStopped: true });
    expect(first).toHaveLength(1);
    expect(first[0]!.desiredStatus).toBe('RUNNING');
    await sim.run(90_000);
    // Past its grace period the task is unhealthy: a replacement starts first, the task keeps running.
    expect(sim.task(first[0]!.taskArn).desiredStatus).toBe('RUNNING');
    expect(sim.tasks('web')).toHaveLength(2);
    // The replacement turns unhealthy too, so with no room left they stop one by one.
    expect(await sim.runUntil((s) => s.task(first[0]!.taskArn).desiredStatus === 'STOPPED', 5 * 60_000)).toBe(
      true,
    );
  });
});
