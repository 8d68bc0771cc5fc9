import type { ContainerDefinition, Task, TaskDefinition } from '@baton-ecs/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batonLabels, type ObservedContainer, reconcileInstance } from '../../src/agent/index.js';
import { type Behaviour, converge, def, instance, SimEngine, T0, task, taskDef, tdMap } from './helpers.js';

const hc = { command: ['CMD', 'true'], interval: 1, timeout: 1, retries: 1 };

/** A random valid task definition: 1–4 containers, dependencies only on earlier ones (no cycles). */
const arbTaskDef = fc
  .array(
    fc.record({
      essential: fc.boolean(),
      withHealthCheck: fc.boolean(),
      deps: fc.array(fc.tuple(fc.nat(3), fc.constantFrom('START', 'COMPLETE', 'SUCCESS', 'HEALTHY')), {
        maxLength: 2,
      }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((specs): TaskDefinition => {
    const containers: ContainerDefinition[] = [];
    specs.forEach((s, i) => {
      const dependsOn: { containerName: string; condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY' }[] =
        [];
      for (const [target, cond] of s.deps) {
        if (i === 0) break;
        const on = containers[target % i] as ContainerDefinition;
        // ECS's rules: COMPLETE/SUCCESS never on an essential container, HEALTHY only on one with a check.
        if ((cond === 'COMPLETE' || cond === 'SUCCESS') && on.essential) continue;
        if (cond === 'HEALTHY' && !on.healthCheck) continue;
        if (dependsOn.some((d) => d.containerName === on.name)) continue;
        dependsOn.push({ containerName: on.name, condition: cond });
      }
      containers.push(
        def(`c${i}`, {
          essential: s.essential || i === 0,
          startTimeout: 10,
          ...(s.withHealthCheck ? { healthCheck: hc } : {}),
          ...(dependsOn.length ? { dependsOn } : {}),
        }),
      );
    });
    return taskDef(containers);
  });

const arbBehaviour: fc.Arbitrary<Behaviour> = fc.record(
  {
    exitAfterMs: fc.integer({ min: 0, max: 20_000 }),
    exitCode: fc.constantFrom(0, 1),
    health: fc.constantFrom('healthy' as const, 'unhealthy' as const),
  },
  { requiredKeys: [] },
);

const arbBehaviours = fc.dictionary(fc.constantFrom('c0', 'c1', 'c2', 'c3'), arbBehaviour, { maxKeys: 4 });

/** Whether `dep`'s condition holds for the container named `on`, on the simulated engine. */
function holds(condition: string, on: ObservedContainer | undefined): boolean {
  if (!on) return false;
  switch (condition) {
    case 'START':
      return on.startedAt !== undefined;
    case 'COMPLETE':
      return on.state === 'exited';
    case 'SUCCESS':
      return on.state === 'exited' && on.exitCode === 0;
    default:
      return on.state === 'running' && on.health === 'healthy';
  }
}

describe('reconcileInstance: properties', () => {
  it('never starts a container before its dependencies’ conditions hold', () => {
    fc.assert(
      fc.property(arbTaskDef, arbBehaviours, fc.integer({ min: 1, max: 3 }), (td, behaviours, n) => {
        const engine = new SimEngine(behaviours);
        const tasks = Array.from({ length: n }, (_, i) => task(td, `t${i}`));
        converge({
          tasks,
          taskDefinitions: tdMap(td),
          engine,
          maxSteps: 80,
          onStep: ({ result }) => {
            for (const a of result.actions) {
              if (a.type !== 'StartContainer' || a.restart) continue;
              const d = td.containerDefinitions.find((c) => c.name === a.containerName);
              for (const dep of d?.dependsOn ?? []) {
                const on = engine.observed.find(
                  (o) =>
                    o.labels[batonLabels.taskArn] === a.taskArn &&
                    o.labels[batonLabels.containerName] === dep.containerName,
                );
                expect(
                  holds(dep.condition, on),
                  `${a.containerName} started before ${dep.containerName} ${dep.condition}`,
                ).toBe(true);
              }
            }
          },
        });
      }),
      { numRuns: 150 },
    );
  });

  it('every task converges: RUNNING with every container started, or STOPPED', () => {
    fc.assert(
      fc.property(
        arbTaskDef,
        arbBehaviours,
        fc.array(fc.option(fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 3 }),
        (td, behaviours, stopAt) => {
          const engine = new SimEngine(behaviours);
          const initial = stopAt.map((_, i) => task(td, `t${i}`));
          let { tasks } = converge({
            tasks: initial,
            taskDefinitions: tdMap(td),
            engine,
            maxSteps: 60,
            // Reverse dependency order: a task's container is never stopped while one depending on it runs.
            onStep: ({ result }) => {
              for (const a of result.actions) {
                if (a.type !== 'StopContainer' || a.reason !== 'task-stopping') continue;
                const dependents = td.containerDefinitions.filter((c) =>
                  c.dependsOn?.some((d) => d.containerName === a.containerName),
                );
                for (const d of dependents) {
                  const o = engine.observed.find(
                    (x) =>
                      x.labels[batonLabels.taskArn] === a.taskArn &&
                      x.labels[batonLabels.containerName] === d.name,
                  );
                  expect(o?.state, `${a.containerName} stopped while ${d.name} runs`).not.toBe('running');
                }
              }
            },
            mutate: (ts, step) =>
              ts.map((t, i) =>
                stopAt[i] === step && t.desiredStatus === 'RUNNING'
                  ? { ...t, desiredStatus: 'STOPPED', stopCode: 'UserInitiated' }
                  : t,
              ),
          });
          const final = converge({
            tasks,
            taskDefinitions: tdMap(td),
            engine,
            start: T0 + 120_000,
            maxSteps: 120,
          });
          tasks = final.tasks;
          expect(final.result.actions).toEqual([]);
          expect(final.result.taskUpdates).toEqual([]);
          for (const t of tasks) {
            if (t.lastStatus === 'STOPPED') {
              expect(
                engine.observed.filter(
                  (o) => o.labels[batonLabels.taskArn] === t.taskArn && o.state === 'running',
                ),
              ).toEqual([]);
              continue;
            }
            expect(t.desiredStatus).toBe('RUNNING');
            expect(t.lastStatus).toBe('RUNNING');
            expect(t.containers.every((c) => c.startedAt !== undefined)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never touches a container without Baton’s labels', () => {
    const arbForeign = fc.record({
      id: fc.string({ minLength: 1, maxLength: 8 }),
      state: fc.constantFrom('created' as const, 'running' as const, 'exited' as const),
      labels: fc.dictionary(
        fc.constantFrom('a', 'b', batonLabels.cluster, batonLabels.containerName),
        fc.string(),
      ),
    });
    fc.assert(
      fc.property(arbTaskDef, fc.array(arbForeign, { maxLength: 5 }), fc.nat(100_000), (td, foreign, dt) => {
        const observedList: ObservedContainer[] = foreign.map((f) => ({
          id: `foreign-${f.id}`,
          name: `foreign-${f.id}`,
          labels: f.labels,
          image: 'x',
          state: f.state,
          ...(f.state !== 'created' ? { startedAt: T0 } : {}),
          health: 'none',
          portBindings: [],
        }));
        const tasks: Task[] = [
          task(td),
          { ...task(td, 't2'), lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: T0 },
        ];
        const r = reconcileInstance({
          instance,
          tasks,
          taskDefinitions: tdMap(td),
          observed: observedList,
          images: ['img:1'],
          now: T0 + dt,
          settings: { taskCleanupWaitMs: 0 },
        });
        for (const a of r.actions) {
          if ('containerId' in a) expect(a.containerId.startsWith('foreign-')).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
