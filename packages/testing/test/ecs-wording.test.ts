import { Task, taskStopCodes } from '@baton-ecs/model';
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
