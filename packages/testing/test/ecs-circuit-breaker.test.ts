import { describe, expect, it } from 'vitest';
import { Simulation, type TaskBehaviour } from '../src/index.js';

/**
 * The deployment circuit breaker's `resetOnHealthyTask` (API reference,
 * DeploymentCircuitBreaker: "a task that reaches a healthy state resets the
 * failure count to 0 … The default is true"), through Simulation's public API.
 */
const td = (image: string) => ({
  family: 'web',
  containerDefinitions: [{ name: 'web', image, memory: 128, healthCheck: { command: ['CMD', 'true'] } }],
});

async function rollOutFailing(opts: {
  desiredCount: number;
  resetOnHealthyTask?: boolean;
  failure: TaskBehaviour;
  retentionMs?: number;
}) {
  const sim = new Simulation({
    seed: 12,
    instances: Array.from({ length: 4 }, (_, i) => ({ id: `i-${i}`, memory: 16_384 })),
    ...(opts.retentionMs !== undefined ? { stoppedTaskRetentionMs: opts.retentionMs } : {}),
  });
  await sim.registerTaskDefinition(td('web:1'));
  await sim.createService({
    serviceName: 'web',
    taskDefinition: 'web:1',
    desiredCount: opts.desiredCount,
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 150,
      deploymentCircuitBreaker: {
        enable: true,
        rollback: false,
        ...(opts.resetOnHealthyTask !== undefined ? { resetOnHealthyTask: opts.resetOnHealthyTask } : {}),
      },
    },
  });
  if (!(await sim.runUntilSteady('web', 10 * 60_000))) throw new Error('no steady state');
  // The old tasks take 40 minutes to stop and count toward maximumPercent 150 until then, so the new
  // revision never has all its tasks at once and the rollout stays IN_PROGRESS while the test watches.
  sim.setBehaviour('web:1', { stopMs: 40 * 60_000 });
  sim.setBehaviour('web:2', opts.failure);
  await sim.registerTaskDefinition(td('web:2'));
  await sim.updateService('web', { taskDefinition: 'web:2' });
  return sim;
}

const failed = (sim: Simulation) => sim.service('web').deployments.find((d) => d.rolloutState === 'FAILED');

describe('circuit breaker resetOnHealthyTask', () => {
  // Revision 2's tasks pass their health check after 2 s, then exit after 10 s.
  const healthyThenExit: TaskBehaviour = { healthyAfterMs: 2_000, exitAfterMs: 10_000 };
  // Revision 2's tasks exit after 1 s, before their health check passes.
  const exitBeforeHealthy: TaskBehaviour = { healthyAfterMs: 5_000, exitAfterMs: 1_000 };

  it.each([
    // [resetOnHealthyTask, behaviour, trips]
    [undefined, healthyThenExit, false],
    [true, healthyThenExit, false],
    [false, healthyThenExit, true],
    [undefined, exitBeforeHealthy, true],
    [false, exitBeforeHealthy, true],
  ])('resetOnHealthyTask %s, tasks %j: trips = %s', async (resetOnHealthyTask, failure, trips) => {
    const sim = await rollOutFailing({
      desiredCount: 3,
      failure,
      ...(resetOnHealthyTask !== undefined ? { resetOnHealthyTask } : {}),
    });
    const tripped = await sim.runUntil((s) => failed(s) !== undefined, 20 * 60_000);
    expect(tripped).toBe(trips);
    if (trips) {
      expect(failed(sim)?.rolloutStateReason).toBe(
        'ECS deployment circuit breaker: tasks failed health checks.',
      );
    } else {
      // Tasks kept failing all along: the count was reset each time one reached a healthy state.
      const primary = sim.service('web').deployments.find((d) => d.status === 'PRIMARY')!;
      expect(primary.rolloutState).toBe('IN_PROGRESS');
      expect(primary.failedTasks).toBeLessThan(3); // the threshold for D=4
      const exited = sim
        .tasks('web', { includeStopped: true })
        .filter((t) => t.taskDefinitionArn.endsWith(':2') && t.stopCode === 'EssentialContainerExited');
      expect(exited.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('counts survive the removal of STOPPED tasks: D=25 trips after 13 launch failures with 5 s retention', async () => {
    const sim = await rollOutFailing({
      desiredCount: 25,
      failure: { failToStart: 'CannotPullContainerError: pull access denied' },
      retentionMs: 5_000,
    });
    expect(await sim.runUntil((s) => failed(s) !== undefined, 30 * 60_000)).toBe(true);
    expect(failed(sim)?.launchFailures).toBeGreaterThanOrEqual(13);
    expect(failed(sim)?.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
  });
});
