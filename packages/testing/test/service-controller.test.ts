/**
 * The production ServiceController, tested without Docker through the simulator (which runs it with
 * the work queue, the informers, the cluster-state owner and the store, under a manual clock).
 *
 * Planted bugs in packages/controller/src/service-controller.ts each of these tests was checked to
 * catch (plant one, run this file, see it fail, revert):
 * 1. dropping the undo of a lost commit (no `forget` of the plan's assumed placements) — caught by
 *    "several workers and failing commits…" (ghost reservations leave tasks unplaceable: no convergence);
 * 2. forcing a stopCode (`t.stopCode = s.stopCode` instead of `??=`) — NOT caught, and it cannot be
 *    by behaviour today: each stop is written with compare-and-set on the very version the plan read,
 *    and the reconciler stops only tasks whose desiredStatus is RUNNING, which carry no stopCode; the
 *    `??=` guards a future rule that stops a task already stopping;
 * 3. inverting the lost-instance flag (`if (!s.lost)`) — caught by "tasks on a lost instance are
 *    marked STOPPED…" and by instances.test.ts;
 * 4. a wrong requeueAfter (the plan's `requeueAfterMs` doubled, or dropped) — caught by "wakes up
 *    exactly when the plan's requeueAfter says…";
 * 5. a wrong event wording (the notice on `serviceEvents$` not the event the service records) —
 *    caught by "every event recorded on the service is announced…";
 * 6. a double start after a lost commit — the bug tried, retrying the pass at once on the caches from
 *    before the commit (`void this.reconcile(key)` in the catch), is NOT caught, and does no harm: the
 *    retry's commit is refused by the compare-and-set on the service's version that the landed commit
 *    moved. "several workers and failing commits…" still checks the outcome that matters under lost
 *    answers: never more tasks alive than maximumPercent allows.
 */
import { deploymentLimitsFor } from '@baton-ecs/reconciler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

const td = (family: string, memory: number, extra: Record<string, unknown> = {}) => ({
  family,
  containerDefinitions: [{ name: family, image: `${family}:1`, memory, ...extra }],
});

/** MiB reserved on each instance by tasks not yet STOPPED. */
function reservedMemory(sim: Simulation): Map<string, number> {
  const used = new Map<string, number>();
  for (const t of sim.tasks()) {
    if (!t.containerInstanceArn) continue;
    const mem = sim
      .taskDefinition(t.taskDefinitionArn)
      .containerDefinitions.reduce((sum, c) => sum + (c.memory ?? 0), 0);
    used.set(t.containerInstanceArn, (used.get(t.containerInstanceArn) ?? 0) + mem);
  }
  return used;
}

describe('ServiceController without Docker', () => {
  it('several workers and failing commits (refused, or landed with the answer lost): no instance overcommitted, never more alive than maximumPercent, every service converges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 100_000 }),
          faultSeed: fc.integer({ min: 1, max: 100_000 }),
          counts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }),
          failedCommits: fc.constantFrom(0, 0.2, 0.4),
          lostAnswers: fc.constantFrom(0, 0.15),
        }),
        async (s) => {
          const total = s.counts.reduce((a, b) => a + b, 0);
          // Exactly room for every task, and for one spare task while rolling: a leaked reservation shows.
          const sim = new Simulation({
            seed: s.seed,
            serviceWorkers: 4,
            faults: { failedCommits: s.failedCommits, lostAnswers: s.lostAnswers, seed: s.faultSeed },
            instances: [
              { id: 'i-0', memory: 256 * Math.ceil((total + 1) / 2) },
              { id: 'i-1', memory: 256 * Math.floor((total + 1) / 2) },
            ],
          });
          const limits = s.counts.map((d) => deploymentLimitsFor(d, 0, 100));
          let worst = '';
          sim.onStep((x) => {
            for (const [arn, used] of reservedMemory(x)) {
              const capacity = x
                .instance(arn.split('/').pop()!)
                .registeredResources.find((r) => r.name === 'MEMORY')!.integerValue!;
              if (used > capacity) worst ||= `${arn} holds ${used} MiB of ${capacity}`;
            }
            s.counts.forEach((_, i) => {
              const live = x.liveTasks(`svc-${i}`).length;
              if (live > limits[i]!.maximumTotal) worst ||= `svc-${i} has ${live} live tasks`;
            });
          });
          for (let i = 0; i < s.counts.length; i++) {
            await sim.registerTaskDefinition(td(`svc-${i}`, 256));
            await sim.createService({
              serviceName: `svc-${i}`,
              taskDefinition: `svc-${i}`,
              desiredCount: s.counts[i],
              deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
            });
          }
          const converged = await sim.runUntil(
            (x) =>
              s.counts.every((d, i) => x.isSteady(`svc-${i}`) && x.healthyTasks(`svc-${i}`).length === d),
            30 * 60_000,
          );
          expect(worst).toBe('');
          expect(converged).toBe(true);
          await sim.stop();
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it('tasks on a lost instance are marked STOPPED with the lost reason; tasks elsewhere are not touched', async () => {
    const sim = new Simulation({
      seed: 3,
      instanceLostAfterMs: 60_000,
      instances: [{ id: 'i-1' }, { id: 'i-2' }],
    });
    await sim.registerTaskDefinition(td('web', 128));
    await sim.createService({
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 2,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
    });
    expect(await sim.runUntilSteady('web')).toBe(true);
    const victim = sim.tasks('web').find((t) => t.containerInstanceArn?.endsWith('/i-2'))!;
    const other = sim.tasks('web').find((t) => t.containerInstanceArn?.endsWith('/i-1'))!;
    await sim.disconnectInstance('i-2');
    expect(await sim.runUntil((s) => s.task(victim.taskArn).desiredStatus === 'STOPPED', 5 * 60_000)).toBe(
      true,
    );
    // Nobody will report it: the controller marks it STOPPED itself, in the same write.
    expect(sim.task(victim.taskArn)).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: 'Task stopped because container instance i-2 was lost',
    });
    expect(sim.task(other.taskArn)).toMatchObject({ desiredStatus: 'RUNNING', lastStatus: 'RUNNING' });
    expect(await sim.runUntil((s) => s.healthyTasks('web').length === 2, 5 * 60_000)).toBe(true);
    await sim.stop();
  });

  it('wakes up exactly when the plan’s requeueAfter says (no other trigger: no per-step resync)', async () => {
    const sim = new Simulation({ seed: 9, resyncEveryStep: false, instances: [{ id: 'i-1' }] });
    await sim.registerTaskDefinition(td('web', 128, { healthCheck: { command: ['CMD', 'true'] } }));
    sim.setBehaviour('web:1', { unhealthyAfterMs: 1_000 });
    await sim.createService({
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
      healthCheckGracePeriodSeconds: 120,
    });
    const [task] = sim.tasks('web');
    const graceEnds = sim.now + 120_000;
    let replacedAt: number | undefined;
    expect(
      await sim.runUntil((s) => {
        if (s.tasks('web', { includeStopped: true }).length > 1) replacedAt ??= s.now;
        return replacedAt !== undefined;
      }, 10 * 60_000),
    ).toBe(true);
    // Nothing about the task changes after it turns unhealthy: only the requeue can wake the controller.
    expect(sim.task(task!.taskArn).healthStatus).toBe('UNHEALTHY');
    expect(replacedAt!).toBeGreaterThanOrEqual(graceEnds);
    expect(replacedAt!).toBeLessThanOrEqual(graceEnds + 3_000);
    await sim.stop();
  });

  it('every event recorded on the service is announced on serviceEvents$, word for word and in order', async () => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-1', memory: 512 }] });
    await sim.registerTaskDefinition(td('web', 128));
    const announced: string[] = [];
    sim.baton.serviceEvents$.subscribe((n) => announced.push(n.event.message));
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
    expect(await sim.runUntilSteady('web')).toBe(true);
    await sim.updateService('web', { desiredCount: 6 }); // 4 fit: the rest cannot be placed
    await sim.run(10_000);
    const recorded = [...sim.events('web')].reverse();
    expect(recorded.length).toBeGreaterThan(2);
    expect(announced).toEqual(recorded);
    await sim.stop();
  });
});
