import { deploymentLimitsFor } from '@baton-ecs/reconciler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation, type TaskBehaviour } from '../src/index.js';

/**
 * ECS rules 1 and 2 of issue 15, through Simulation's public API only.
 *
 * 1. maximumPercent bounds every task not yet STOPPED — a task asked to stop
 *    keeps its place until it has stopped. UpdateContainerInstancesState (API
 *    reference) and the developer guide's container-instance-draining page: "If
 *    the maximum is 100%, then replacement tasks can't start until the draining
 *    tasks have stopped."
 * 2. Unhealthy tasks are replaced first and stopped once their replacements are
 *    healthy; with no room under maximumPercent they are stopped one by one
 *    (developer guide deployment-type-ecs.html; API reference
 *    DeploymentConfiguration).
 */

function revision(n: number, extra: Record<string, unknown> = {}) {
  return { family: 'web', containerDefinitions: [{ name: 'web', image: `web:${n}`, memory: 256, ...extra }] };
}

async function cluster(opts: {
  desiredCount: number;
  min: number;
  max: number;
  instances: number;
  seed?: number;
  behaviour?: TaskBehaviour;
  healthCheck?: boolean;
}) {
  const sim = new Simulation({
    seed: opts.seed ?? 5,
    ...(opts.behaviour ? { behaviour: opts.behaviour } : {}),
    instances: Array.from({ length: opts.instances }, (_, i) => ({
      id: `i-${i}`,
      zone: `az-${i % 2}`,
      memory: 16_384,
      cpu: 8192,
    })),
  });
  const check = opts.healthCheck ? { healthCheck: { command: ['CMD', 'true'] } } : {};
  await sim.registerTaskDefinition(revision(1, check));
  await sim.createService({
    serviceName: 'web',
    taskDefinition: 'web:1',
    desiredCount: opts.desiredCount,
    deploymentConfiguration: { minimumHealthyPercent: opts.min, maximumPercent: opts.max },
  });
  if (!(await sim.runUntilSteady('web', 30 * 60_000))) throw new Error('no steady state');
  return sim;
}

/** The most tasks of the service not yet STOPPED (RUNNING, PENDING or STOPPING) seen after any step. */
function watchAlive(sim: Simulation): () => number {
  let most = sim.tasks('web').length;
  sim.onStep((s) => {
    most = Math.max(most, s.tasks('web').length);
  });
  return () => most;
}

function instanceOf(sim: Simulation, taskArn: string): string {
  const arn = sim.task(taskArn).containerInstanceArn ?? '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

describe('maximumPercent counts tasks that are still STOPPING', () => {
  it.each([
    // [desiredCount, minimumHealthyPercent, maximumPercent, stop time]
    [1, 0, 100, 20_000],
    [2, 50, 100, 20_000],
    [4, 50, 100, 30_000],
    [4, 50, 150, 30_000],
    [3, 0, 100, 5_000],
  ])(
    'draining: D=%i min %i max %i (tasks take %i ms to stop): never more alive than the maximum; replacements wait for stops',
    async (desiredCount, min, max, stopMs) => {
      const sim = await cluster({ desiredCount, min, max, instances: 3, behaviour: { stopMs } });
      const limits = deploymentLimitsFor(desiredCount, min, max);
      const alive = watchAlive(sim);
      const victim = instanceOf(sim, sim.tasks('web')[0]!.taskArn);
      const drained = sim.tasks('web').filter((t) => instanceOf(sim, t.taskArn) === victim);
      const before = new Set(sim.tasks('web').map((t) => t.taskArn));
      await sim.drainInstance(victim);
      const done = await sim.runUntil(
        (s) =>
          s.tasks('web').every((t) => instanceOf(s, t.taskArn) !== victim) &&
          s.healthyTasks('web').length === desiredCount,
        30 * 60_000,
      );
      expect(done).toBe(true);
      expect(alive()).toBeLessThanOrEqual(limits.maximumTotal);
      if (max === 100) {
        // No replacement was created before the first drained task had STOPPED.
        const firstStop = Math.min(...drained.map((t) => sim.task(t.taskArn).stoppedAt ?? Infinity));
        const replacements = sim.tasks('web', { includeStopped: true }).filter((t) => !before.has(t.taskArn));
        expect(replacements.length).toBeGreaterThan(0);
        for (const r of replacements) expect(r.createdAt!).toBeGreaterThanOrEqual(firstStop);
      }
    },
  );

  it('a property: rollouts and drains never have more than floor(D·max/100) tasks alive, STOPPING ones included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 100_000 }),
          desiredCount: fc.integer({ min: 1, max: 6 }),
          min: fc.constantFrom(0, 50, 75),
          max: fc.constantFrom(100, 125, 150, 200),
          stopMs: fc.integer({ min: 0, max: 20_000 }),
          drain: fc.boolean(),
        }),
        async (s) => {
          const limits = deploymentLimitsFor(s.desiredCount, s.min, s.max);
          fc.pre(limits.maximumTotal > s.desiredCount || limits.minimumHealthy < s.desiredCount);
          const sim = await cluster({ ...s, instances: 3, behaviour: { stopMs: s.stopMs } });
          const alive = watchAlive(sim);
          if (s.drain) await sim.drainInstance(instanceOf(sim, sim.tasks('web')[0]!.taskArn));
          else {
            await sim.registerTaskDefinition(revision(2));
            await sim.updateService('web', { taskDefinition: 'web:2' });
          }
          const settled = await sim.runUntil(
            (x) => x.isSteady('web') && x.healthyTasks('web').length === s.desiredCount,
            60 * 60_000,
          );
          expect(settled).toBe(true);
          expect(alive()).toBeLessThanOrEqual(limits.maximumTotal);
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);
});

/** Runs 10 minutes, then every task older than 9 minutes turns unhealthy (their replacements stay healthy for 9). */
async function sickenCurrentTasks(sim: Simulation, extra: TaskBehaviour = {}) {
  await sim.run(10 * 60_000);
  const sick = sim.tasks('web');
  sim.setBehaviour('web:1', { unhealthyAfterMs: 9 * 60_000, ...extra });
  return sick;
}

describe('unhealthy tasks are replaced first, stopped after', () => {
  it.each([
    // [desiredCount, minimumHealthyPercent, maximumPercent]
    [1, 100, 200],
    [2, 100, 200],
    [3, 50, 200],
    [4, 100, 150],
  ])(
    'D=%i min %i max %i: a healthy replacement runs before each unhealthy task is asked to stop',
    async (D, min, max) => {
      const sim = await cluster({ desiredCount: D, min, max, instances: 3, healthCheck: true });
      const alive = watchAlive(sim);
      const sick = await sickenCurrentTasks(sim);
      const stopped = await sim.runUntil(
        (s) => sick.every((t) => s.task(t.taskArn).desiredStatus === 'STOPPED'),
        8 * 60_000,
      );
      expect(stopped).toBe(true);
      const sickArns = new Set(sick.map((t) => t.taskArn));
      const replacements = sim.tasks('web', { includeStopped: true }).filter((t) => !sickArns.has(t.taskArn));
      for (const t of sick) {
        const stoppingAt = sim.task(t.taskArn).stoppingAt!;
        expect(replacements.some((r) => r.startedAt !== undefined && r.startedAt < stoppingAt)).toBe(true);
        expect(sim.task(t.taskArn).stoppedReason).toBe('Task failed container health checks');
      }
      expect(
        await sim.runUntil((s) => s.healthyTasks('web').length === D && s.tasks('web').length === D, 60_000),
      ).toBe(true);
      expect(alive()).toBeLessThanOrEqual(deploymentLimitsFor(D, min, max).maximumTotal);
    },
  );

  it('with no room under maximumPercent, unhealthy tasks stop one at a time, each after the previous one is replaced', async () => {
    const sim = await cluster({ desiredCount: 2, min: 50, max: 100, instances: 2, healthCheck: true });
    const sick = await sickenCurrentTasks(sim, { stopMs: 10_000 });
    const alive = watchAlive(sim);
    let mostStoppingAtOnce = 0;
    sim.onStep((s) => {
      const stopping = sick.filter((t) => {
        const now = s.task(t.taskArn);
        return now.desiredStatus === 'STOPPED' && now.lastStatus !== 'STOPPED';
      }).length;
      mostStoppingAtOnce = Math.max(mostStoppingAtOnce, stopping);
    });
    const done = await sim.runUntil(
      (s) =>
        sick.every((t) => s.task(t.taskArn).lastStatus === 'STOPPED') && s.healthyTasks('web').length === 2,
      8 * 60_000,
    );
    expect(done).toBe(true);
    expect(mostStoppingAtOnce).toBe(1);
    const [first, second] = sick
      .map((t) => sim.task(t.taskArn))
      .sort((x, y) => x.stoppingAt! - y.stoppingAt!);
    // The second one was asked to stop only after the first one's replacement was healthy (RUNNING + 2 s).
    const firstReplacement = sim
      .tasks('web', { includeStopped: true })
      .filter((t) => t.createdAt! >= first!.stoppedAt!)
      .sort((x, y) => x.createdAt! - y.createdAt!)[0]!;
    expect(second!.stoppingAt!).toBeGreaterThan(firstReplacement.startedAt!);
    expect(alive()).toBeLessThanOrEqual(2);
  });
});
