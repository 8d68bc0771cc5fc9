import { launchBackoffCapMs } from '@baton-ecs/reconciler';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

/**
 * ECS's service throttle logic (developer guide, service-throttle-logic.html),
 * through Simulation's public API: the launch back-off grows while the
 * service's tasks keep failing to start, stays at its cap — even though the
 * STOPPED tasks that taught it are long gone — and a new task definition
 * returns the service to normal at once.
 */
const td = (image: string) => ({
  family: 'web',
  containerDefinitions: [{ name: 'web', image, memory: 128 }],
});

describe('launch throttling does not forget', () => {
  it.each([
    // STOPPED tasks are kept this long (ECS keeps them about an hour)
    [60_000],
    [5 * 60_000],
  ])('with STOPPED tasks retained %i ms, the back-off reaches its cap and stays there', async (retention) => {
    const sim = new Simulation({
      seed: 4,
      stepMs: 5_000,
      instances: [{ id: 'i-1' }],
      stoppedTaskRetentionMs: retention,
    });
    await sim.registerTaskDefinition(td('web:1'));
    sim.setBehaviour('web:1', { failToStart: 'CannotPullContainerError: not found' });
    const launches: number[] = [];
    sim.onPlan((_, plan) => {
      for (const t of plan.startTasks) launches.push(t.createdAt!);
    });
    await sim.createService({ serviceName: 'web', taskDefinition: 'web:1', desiredCount: 1 });
    await sim.run(3 * 60 * 60_000);
    const gaps = launches.slice(1).map((t, i) => t - launches[i]!);
    // Never shorter than the one before (beyond one 5 s step of rounding), and the last ones at the cap.
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 5_000);
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(launchBackoffCapMs);
    expect(gaps.at(-2)!).toBeGreaterThanOrEqual(launchBackoffCapMs);
    // Every launch failed (the newest may still be starting when the run ends).
    expect(sim.service('web').launchThrottle?.consecutiveFailures).toBeGreaterThanOrEqual(
      launches.length - 1,
    );
    // The tasks that taught it are gone.
    expect(sim.tasks('web', { includeStopped: true }).length).toBeLessThan(launches.length);

    // A new task definition (a new deployment) resets it at once.
    await sim.registerTaskDefinition(td('web:2'));
    await sim.updateService('web', { taskDefinition: 'web:2' });
    await sim.step();
    expect(sim.liveTasks('web').some((t) => t.taskDefinitionArn.endsWith(':2'))).toBe(true);
    expect(await sim.runUntilSteady('web')).toBe(true);
    expect(sim.service('web').launchThrottle).toBeUndefined();
  });
});
