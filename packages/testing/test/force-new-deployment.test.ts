import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

async function steadyWeb(desiredCount: number, min: number, max: number): Promise<Simulation> {
  const sim = new Simulation({
    seed: 17,
    instances: Array.from({ length: 3 }, (_, i) => ({ id: `i-${i}`, zone: `az-${i}`, memory: 4096 })),
  });
  await sim.registerTaskDefinition({
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'web:1', memory: 128 }],
  });
  await sim.createService({
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount,
    deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max },
  });
  if (!(await sim.runUntilSteady('web', 10 * 60_000))) throw new Error('web did not reach a steady state');
  return sim;
}

describe('UpdateService forceNewDeployment', () => {
  it('starts a new PRIMARY deployment of the same revision; the old one becomes ACTIVE and drains', async () => {
    const sim = await steadyWeb(3, 100, 200);
    const before = sim.service('web');
    const oldPrimary = before.deployments.find((d) => d.status === 'PRIMARY')!;
    const oldTasks = sim.liveTasks('web').map((t) => t.taskArn);
    expect(oldTasks).toHaveLength(3);

    const updated = await sim.updateService('web', { forceNewDeployment: true });
    // UpdateService starts the deployment in the call (ECS answers with it); nothing is left pending.
    expect(updated.forceNewDeploymentRequestedAt).toBeUndefined();
    expect(updated.deployments.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    await sim.step();

    const during = sim.service('web');
    expect(during.forceNewDeploymentRequestedAt).toBeUndefined();
    expect(during.deployments[0]!.id).toBe(updated.deployments[0]!.id);
    const primary = during.deployments.find((d) => d.status === 'PRIMARY')!;
    expect(primary.id).not.toBe(oldPrimary.id);
    expect(primary.taskDefinition).toBe(oldPrimary.taskDefinition);
    expect(primary.rolloutState).toBe('IN_PROGRESS');
    expect(during.deployments.find((d) => d.id === oldPrimary.id)?.status).toBe('ACTIVE');

    let most = 0;
    sim.onStep((s) => {
      most = Math.max(most, s.liveTasks('web').length);
    });
    expect(await sim.runUntilSteady('web')).toBe(true);
    // Rolling update rules: at most maximumPercent (200% of 3) live at once, and every old task replaced.
    expect(most).toBeLessThanOrEqual(6);
    const after = sim.liveTasks('web');
    expect(after).toHaveLength(3);
    expect(after.every((t) => t.startedBy === primary.id && !oldTasks.includes(t.taskArn))).toBe(true);
    expect(
      sim
        .service('web')
        .deployments.filter((d) => d.status !== 'INACTIVE')
        .map((d) => d.id),
    ).toEqual([primary.id]);
    // ECS's wording for the rollout: tasks started and stopped, the deployment completed, steady state.
    const events = sim.events('web');
    expect(events).toContain(`(service web) (deployment ${primary.id}) deployment completed.`);
    expect(events[0]).toBe('(service web) has reached a steady state.');
    expect(events.some((m) => /^\(service web\) has stopped 3 running tasks: /.test(m))).toBe(true);
    await sim.stop();
  });

  it('respects minimumHealthyPercent: with 50/100 it stops before it starts, never fewer than half running', async () => {
    const sim = await steadyWeb(4, 50, 100);
    const oldPrimary = sim.service('web').deployments[0]!.id;
    let most = 0;
    let fewestHealthy = Infinity;
    sim.onStep((s) => {
      most = Math.max(most, s.liveTasks('web').length);
      fewestHealthy = Math.min(fewestHealthy, s.healthyTasks('web').length);
    });
    await sim.updateService('web', { forceNewDeployment: true });
    expect(await sim.runUntilSteady('web')).toBe(true);
    expect(most).toBeLessThanOrEqual(4);
    expect(fewestHealthy).toBeGreaterThanOrEqual(2);
    expect(sim.liveTasks('web').every((t) => t.startedBy !== oldPrimary)).toBe(true);
    await sim.stop();
  });

  it('with a new task definition in the same request starts one deployment, not two', async () => {
    const sim = await steadyWeb(2, 100, 200);
    await sim.registerTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'web:2', memory: 128 }],
    });
    await sim.updateService('web', { taskDefinition: 'web:2', forceNewDeployment: true });
    await sim.step();
    await sim.step();
    const deployments = sim.service('web').deployments;
    expect(deployments.filter((d) => d.status === 'PRIMARY')).toHaveLength(1);
    expect(deployments.filter((d) => d.taskDefinition.endsWith(':2'))).toHaveLength(1);
    expect(await sim.runUntilSteady('web')).toBe(true);
    await sim.stop();
  });

  it('without forceNewDeployment an update of desiredCount alone starts no deployment', async () => {
    const sim = await steadyWeb(2, 100, 200);
    const before = sim.service('web').deployments.map((d) => d.id);
    await sim.updateService('web', { desiredCount: 3 });
    expect(await sim.runUntilSteady('web')).toBe(true);
    expect(sim.service('web').deployments.map((d) => d.id)).toEqual(before);
    await sim.stop();
  });
});
