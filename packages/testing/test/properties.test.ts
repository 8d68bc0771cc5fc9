import { deploymentLimitsFor } from '@baton-ecs/reconciler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation, type TaskBehaviour } from '../src/index.js';

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  desiredCount: fc.integer({ min: 1, max: 8 }),
  min: fc.constantFrom(0, 25, 50, 75, 100),
  max: fc.constantFrom(100, 125, 150, 200),
  instances: fc.integer({ min: 2, max: 6 }),
  zones: fc.integer({ min: 1, max: 3 }),
  healthCheck: fc.boolean(),
  timing: fc.record({
    pullMs: fc.integer({ min: 0, max: 5_000 }),
    startMs: fc.integer({ min: 0, max: 5_000 }),
    stopMs: fc.integer({ min: 0, max: 10_000 }),
    healthyAfterMs: fc.integer({ min: 0, max: 20_000 }),
  }),
  stepMs: fc.constantFrom(500, 1000, 2000),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function steadyCluster(s: Scenario, extra: { breaker?: boolean } = {}): Promise<Simulation> {
  const sim = new Simulation({
    seed: s.seed,
    stepMs: s.stepMs,
    behaviour: s.timing satisfies TaskBehaviour,
    instances: Array.from({ length: s.instances }, (_, i) => ({
      id: `i-${i}`,
      zone: `az-${i % s.zones}`,
      memory: 16_384,
      cpu: 8192,
    })),
  });
  await sim.registerTaskDefinition(revision(1, s.healthCheck));
  await sim.createService({
    serviceName: 'web',
    taskDefinition: 'web:1',
    desiredCount: s.desiredCount,
    deploymentConfiguration: {
      minimumHealthyPercent: s.min,
      maximumPercent: s.max,
      // A failing task may pass its health check before it exits; by ECS's default (resetOnHealthyTask)
      // that would reset the failure count, so these scenarios count every failure.
      deploymentCircuitBreaker: {
        enable: extra.breaker ?? false,
        rollback: extra.breaker ?? false,
        resetOnHealthyTask: false,
      },
    },
  });
  if (!(await sim.runUntilSteady('web', 30 * 60_000))) throw new Error('no steady state before the update');
  return sim;
}

function revision(n: number, healthCheck: boolean) {
  return {
    family: 'web',
    containerDefinitions: [
      {
        name: 'web',
        image: `web:${n}`,
        memory: 256,
        ...(healthCheck ? { healthCheck: { command: ['CMD', 'true'] } } : {}),
      },
    ],
  };
}

// Each property runs dozens of simulated hours through the production controllers: a minute's budget each.
describe('rolling updates (properties over the simulator)', () => {
  it('never drop below the minimum healthy count, never exceed the maximum, and converge on the new revision', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const sim = await steadyCluster(s);
        const limits = deploymentLimitsFor(s.desiredCount, s.min, s.max);
        let minHealthy = Infinity;
        let maxLive = 0;
        sim.onStep((x) => {
          minHealthy = Math.min(minHealthy, x.healthyTasks('web').length);
          maxLive = Math.max(maxLive, x.liveTasks('web').length);
        });
        await sim.registerTaskDefinition(revision(2, s.healthCheck));
        await sim.updateService('web', { taskDefinition: 'web:2' });
        const canProgress = limits.maximumTotal > s.desiredCount || limits.minimumHealthy < s.desiredCount;
        const done = await sim.runUntilSteady('web', 60 * 60_000);
        expect(minHealthy).toBeGreaterThanOrEqual(limits.minimumHealthy);
        expect(maxLive).toBeLessThanOrEqual(limits.maximumTotal);
        if (canProgress) {
          expect(done).toBe(true);
          const healthy = sim.healthyTasks('web');
          expect(healthy).toHaveLength(s.desiredCount);
          expect(healthy.every((t) => t.taskDefinitionArn.endsWith(':2'))).toBe(true);
          expect(sim.liveTasks('web')).toHaveLength(s.desiredCount);
        } else {
          expect(done).toBe(false);
          expect(sim.events('web').join('\n')).toMatch(/unable to stop or start tasks during a deployment/);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('a failing revision trips the breaker, and rollback ends with the previous revision healthy', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.constantFrom<TaskBehaviour>(
          { failToStart: 'CannotPullContainerError: nope' },
          { exitAfterMs: 2_000 },
        ),
        async (s, failure) => {
          const limits = deploymentLimitsFor(s.desiredCount, s.min, s.max);
          fc.pre(limits.maximumTotal > s.desiredCount || limits.minimumHealthy < s.desiredCount);
          const sim = await steadyCluster(s, { breaker: true });
          sim.setBehaviour('web:2', failure);
          await sim.registerTaskDefinition(revision(2, s.healthCheck));
          await sim.updateService('web', { taskDefinition: 'web:2' });
          expect(
            await sim.runUntil((x) => x.events('web').some((m) => m.includes('rolling back')), 60 * 60_000),
          ).toBe(true);
          expect(await sim.runUntilSteady('web', 60 * 60_000)).toBe(true);
          const healthy = sim.healthyTasks('web');
          expect(healthy).toHaveLength(s.desiredCount);
          expect(healthy.every((t) => t.taskDefinitionArn.endsWith(':1'))).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);

  it('draining an instance leaves no task on it and none short', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.nat(), async (s, pick) => {
        const limits = deploymentLimitsFor(s.desiredCount, s.min, s.max);
        fc.pre(limits.maximumTotal > s.desiredCount || limits.minimumHealthy < s.desiredCount);
        const sim = await steadyCluster(s);
        const victim = `i-${pick % s.instances}`;
        await sim.drainInstance(victim);
        const done = await sim.runUntil(
          (x) =>
            x.tasks('web').every((t) => !t.containerInstanceArn?.endsWith(`/${victim}`)) &&
            x.healthyTasks('web').length === s.desiredCount,
          60 * 60_000,
        );
        expect(done).toBe(true);
        expect(sim.tasks('web')).toHaveLength(s.desiredCount);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
