import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

/**
 * The task agents run on the controllers' loop and count into Baton's metrics beside the controllers.
 * Planted bug this was checked to catch: BatonAgents not handing its Counters to the agents.
 */
describe('the task agents’ loop in Baton’s metrics', () => {
  it('counts every agent pass by result, with its duration, in baton.metrics()', async () => {
    const sim = new Simulation({ seed: 3, instances: [{ id: 'i-a1' }, { id: 'i-b1' }] });
    await sim.registerTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'web:1', memory: 128 }],
    });
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
    expect(await sim.runUntilSteady('web', 120_000)).toBe(true);

    const metrics = sim.baton.metrics();
    const passes = (result: string) =>
      Number(
        new RegExp(
          `^baton_reconcile_total\\{controller="task-agent",result="${result}"\\} (\\d+)$`,
          'm',
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(passes('success') + passes('requeue_after')).toBeGreaterThan(0);
    const count = /^baton_reconcile_time_seconds_count\{controller="task-agent"\} (\d+)$/m.exec(metrics)?.[1];
    expect(Number(count)).toBe(passes('success') + passes('requeue_after') + passes('error'));
    // The service controller's passes are counted beside them, under their own name.
    expect(metrics).toMatch(/^baton_reconcile_total\{controller="service",result="success"\} \d+$/m);
    await sim.stop();
  });
});
