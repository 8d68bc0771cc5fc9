import { Task, taskStopCodes } from '@baton-ecs/model';
import { serviceMessages } from '@baton-ecs/reconciler';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

/**
 * Event and stop wording as ECS publishes it (developer guide, "Service event
 * messages"; API reference, Task.stopCode), through Simulation's public API.
 * Baton's own detail never changes ECS's sentence: it goes in the event's
 * separate `detail` field.
 */
describe('service events say what ECS says', () => {
  it('a placement failure: ECS sentence intact as the message, the per-filter breakdown in detail', async () => {
    const sim = new Simulation({
      seed: 2,
      instances: [
        { id: 'i-small', memory: 256 },
        { id: 'i-tiny', memory: 128 },
      ],
    });
    await sim.registerTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'web', memory: 512 }],
    });
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 1 });
    await sim.run(5_000);
    const event = sim.service('web').events.find((e) => e.message.includes('unable to place'));
    expect(event?.message).toMatch(
      /^\(service web\) was unable to place a task because no container instance met all of its requirements\. The closest matching container-instance i-(small|tiny) has insufficient memory available\.$/,
    );
    expect(event?.detail).toBe('2 instances: insufficient memory');
  });

  it.each([['steady state', '(service web) has reached a steady state.']])('%s', async (_, message) => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-1' }] });
    await sim.registerTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'web', memory: 128 }],
    });
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 1 });
    expect(await sim.runUntilSteady('web')).toBe(true);
    await sim.run(5_000);
    expect(sim.events('web')).toContain(message);
  });

  it('every TaskStopCode value of the current API parses', () => {
    for (const stopCode of [
      'TaskFailedToStart',
      'EssentialContainerExited',
      'UserInitiated',
      'ServiceSchedulerInitiated',
      'SpotInterruption',
      'TerminationNotice',
      'InfrastructureHealth',
    ]) {
      const t = Task.parse({ taskArn: 'a', clusterArn: 'c', taskDefinitionArn: 't', stopCode });
      expect(t.stopCode).toBe(stopCode);
    }
    expect(taskStopCodes).toHaveLength(7);
  });
});

describe('DeleteService', () => {
  it('a DRAINING service becomes INACTIVE once every task is STOPPING or STOPPED (API_DeleteService)', async () => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-1' }], behaviour: { stopMs: 60_000 } });
    await sim.registerTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'web', memory: 128 }],
    });
    await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
    expect(await sim.runUntilSteady('web')).toBe(true);
    const tasks = sim.tasks('web');
    await sim.deleteService('web');
    expect(await sim.runUntil((s) => s.service('web').status === 'INACTIVE', 30_000)).toBe(true);
    // INACTIVE while its tasks are still STOPPING (they take 60 s to stop).
    for (const t of tasks) expect(sim.task(t.taskArn).lastStatus).toBe('STOPPING');
    expect(sim.events('web')[0]).toBe('(service web) has been drained and is now INACTIVE.');
  });
});

describe('RunTask', () => {
  // Standalone tasks default to random placement; services default to spreading over zones
  // (developer guide, task-placement-strategies.html).
  async function placements(placementStrategy?: { type: 'random' | 'spread'; field?: string }[]) {
    const sim = new Simulation({
      seed: 7,
      instances: Array.from({ length: 6 }, (_, i) => ({ id: `i-${i}`, zone: `az-${i % 3}` })),
    });
    await sim.registerTaskDefinition({
      family: 'job',
      containerDefinitions: [{ name: 'job', image: 'job', memory: 64 }],
    });
    const plan = await sim.runTask('job', 6, placementStrategy ? { placementStrategy } : {});
    return plan.tasks.map((t) => t.containerInstanceArn);
  }

  it('places standalone tasks at random by default, exactly as an explicit random strategy does', async () => {
    const byDefault = await placements();
    expect(byDefault).toHaveLength(6);
    expect(byDefault).toEqual(await placements([{ type: 'random' }]));
    expect(byDefault).not.toEqual(
      await placements([
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'spread', field: 'instanceId' },
      ]),
    );
  });
});

/**
 * Every sentence Baton writes where ECS publishes one, next to ECS's text with the names filled in:
 * the developer guide's "Service event messages" page (service-event-messages.html) and the events
 * ECS's deployment-circuit-breaker and load-balancer troubleshooting pages show.
 */
describe('serviceMessages against ECS’s published wording', () => {
  const s = 'web';
  it.each([
    [serviceMessages.steadyState(s), '(service web) has reached a steady state.'],
    [
      serviceMessages.unableToPlaceReason(
        s,
        "You've reached the limit on the number of tasks you can run concurrently",
      ),
      "(service web) was unable to place a task. Reason: You've reached the limit on the number of tasks you can run concurrently.",
    ],
    [
      serviceMessages.unableToPlaceReason(s, 'Internal error.'),
      '(service web) was unable to place a task. Reason: Internal error.',
    ],
    [serviceMessages.throttled(s), '(service web) is unable to consistently start tasks successfully.'],
    [
      serviceMessages.deploymentBlocked(s),
      '(service web) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.',
    ],
    [
      serviceMessages.startedTasks(s, ['a1', 'b2']),
      '(service web) has started 2 tasks: (task a1) (task b2).',
    ],
    [serviceMessages.stoppedTasks(s, ['a1']), '(service web) has stopped 1 running task: (task a1).'],
    [
      serviceMessages.deploymentCompleted(s, 'ecs-svc/1'),
      '(service web) (deployment ecs-svc/1) deployment completed.',
    ],
    [
      serviceMessages.deploymentFailed(s, 'ecs-svc/2', 'tasks failed to start.'),
      '(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
    ],
    [serviceMessages.rollingBack(s, 'ecs-svc/1'), '(service web) rolling back to deployment ecs-svc/1.'],
    [serviceMessages.unhealthyTask(s, 'a1', ''), '(service web) (task a1) failed container health checks.'],
    [
      serviceMessages.unhealthyTarget(s, {
        instanceId: 'i-1',
        port: 32768,
        targetGroupName: 'web-tg',
        description: 'Health checks failed with these codes: [502]',
      }),
      '(service web) (instance i-1) (port 32768) is unhealthy in target-group web-tg due to (reason Health checks failed with these codes: [502]).',
    ],
    [
      serviceMessages.unhealthyTarget(s, {
        port: 8080,
        targetGroupName: 'web-tg',
        description: 'Request timed out',
      }),
      '(service web) (port 8080) is unhealthy in target-group web-tg due to (reason Request timed out).',
    ],
  ])('%s', (baton, ecs) => {
    expect(baton).toBe(ecs);
  });

  it('a DAEMON task that cannot fit on an instance: ECS’s placement sentence naming that instance', async () => {
    const sim = new Simulation({ seed: 2, instances: [{ id: 'i-small', memory: 128 }] });
    await sim.registerTaskDefinition({
      family: 'agent',
      containerDefinitions: [{ name: 'agent', image: 'agent', memory: 512 }],
    });
    await sim.createService({ serviceName: 'agent', taskDefinition: 'agent', schedulingStrategy: 'DAEMON' });
    await sim.run(5_000);
    const event = sim.service('agent').events.find((e) => e.message.includes('unable to place'));
    expect(event?.message).toBe(
      '(service agent) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance i-small has insufficient memory available.',
    );
    expect(event?.detail).toMatch(/^container instance arn:aws:ecs:.*container-instance\/.*i-small$/);
  });
});
