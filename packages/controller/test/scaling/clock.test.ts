import { arns, type ContainerInstance } from '@baton-ecs/model';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import { parseCapacityProvider } from '@baton-ecs/scaler';
import { isRight } from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CapacityController, type EngineProvider, silentLogger } from '../../src/index.js';
import { type MemoryBaton, memoryBaton, t0 } from '../support/memory-baton.js';

const minute = 60_000;
const td = { family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 256 }] };
let m: MemoryBaton;
afterEach(async () => m?.stop());

/**
 * The scaling controllers run on the Clock given to createBaton: a ManualClock moves them exactly
 * when it is advanced, and every time they write is its time. (On RxJS's default scheduler and
 * Date.now, which they used before, none of this holds: the ticks follow the wall clock.)
 *
 * Planted bug this was checked to catch: createBaton not handing its clock to the ScalingController.
 */
describe('Application Auto Scaling on Baton’s clock', () => {
  it('a scheduled action fires when the manual clock reaches it, stamped with that time', async () => {
    m = await memoryBaton('clocked');
    const { baton, clock } = m;
    await baton.registerTaskDefinition(td);
    await baton.createService({
      cluster: 'clocked',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 2,
    });
    const ids = {
      ServiceNamespace: 'ecs',
      ResourceId: 'service/clocked/web',
      ScalableDimension: 'ecs:service:DesiredCount',
    };
    await baton.autoScaling.registerScalableTarget({ ...ids, MinCapacity: 1, MaxCapacity: 10 });
    await baton.autoScaling.putScheduledAction({
      ...ids,
      ScheduledActionName: 'peak',
      Schedule: 'at(2024-01-01T00:10:00)',
      ScalableTargetAction: { MinCapacity: 4 },
    });
    const services = baton.internals.informers.services;
    const desired = () => services.get('clocked/web')?.object.desiredCount;
    const scaling = baton.internals.informers.scaling;
    await m.cached(scaling, () => JSON.stringify(scaling.get(ids.ResourceId)?.object ?? {}).includes('peak'));

    clock.advance(10 * minute);
    await m.cached(services, () => desired() === 4);
    // The action's activities (new limits, then the desired count they force) all start at exactly
    // 00:10 of the manual clock: it fired at that tick, not before and not on the wall clock.
    const { ScalingActivities } = baton.autoScaling.describeScalingActivities({ ResourceId: ids.ResourceId });
    expect(ScalingActivities.map((a) => [a.StartTime, a.Description, a.StatusCode])).toEqual([
      [t0 + 10 * minute, 'Setting desired count to 4.', 'Successful'],
      [t0 + 10 * minute, 'Setting min capacity to 4 and max capacity to 10.', 'Successful'],
    ]);
    const event = services
      .get('clocked/web')
      ?.object.events.find((e) => e.message.includes('desired count to 4'));
    expect(event?.createdAt).toBe(t0 + 10 * minute);
  });
});

describe('CapacityController on Baton’s clock', () => {
  it('evaluates on the manual clock’s minute grid: launches for pending tasks at the first tick, not before', async () => {
    m = await memoryBaton('capacity');
    const { baton, clock, store } = m;
    await baton.registerTaskDefinition(td);
    // 4 × 256 MiB and no instance: everything is pending.
    await baton.createService({
      cluster: 'capacity',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 4,
    });
    const informers = baton.internals.informers;
    await m.cached(informers.services, () => informers.services.get('capacity/web') !== undefined);
    const launches: number[] = [];
    const engines: EngineProvider = {
      instanceTemplate: () => ({ registeredResources: instanceRecord('', '', 0).registeredResources }),
      async launchEngines(count) {
        launches.push(count);
        return Array.from(
          { length: count },
          (_, i) => ({ instanceId: `e-${i}`, endpoint: 'unix:///nowhere' }) as EngineSpec,
        );
      },
      async terminateEngines() {},
    };
    const registered: string[] = [];
    const provider = parseCapacityProvider({
      name: 'engines',
      autoScalingGroupProvider: {
        managedScaling: { targetCapacity: 100, instanceWarmupPeriod: 300 },
        minSize: 0,
        maxSize: 5,
      },
    });
    if (!isRight(provider)) throw new Error('capacity provider did not parse');
    const controller = new CapacityController({
      cluster: 'capacity',
      provider: provider.right.value,
      engines,
      services: informers.services,
      tasks: informers.tasks,
      instances: informers.instances,
      taskDefinition: (arn) => informers.taskDefinitions.get(arn)?.object,
      // As an agent would: the launched engine registers as a container instance.
      register: async (engine) => {
        const arn = arns.containerInstance('capacity', engine.instanceId);
        registered.push(arn);
        await store.create('ContainerInstance', instanceRecord(arn, engine.instanceId, clock.now()));
        return arn;
      },
      deregister: async () => undefined,
      logger: silentLogger,
      clock,
      intervalMs: minute,
    });
    controller.start();
    try {
      // A tick decides and starts launching synchronously, inside the timer it runs on: so what is
      // not there right after advance() did not happen.
      clock.advance(minute - 1);
      expect(controller.decisions).toEqual([]);
      expect(launches).toEqual([]);

      clock.advance(1); // the minute tick
      expect(launches).toEqual([1]);
      await m.cached(
        informers.instances,
        () => registered.length === 1 && registered.every((a) => informers.instances.get(a)),
      );
      expect(controller.decisions).toHaveLength(1);
      expect(controller.decisions[0]?.action).toEqual({ type: 'launch', count: 1 });
    } finally {
      controller.stop();
    }
  });
});

function instanceRecord(arn: string, id: string, now: number): ContainerInstance {
  const resources = [
    { name: 'CPU', type: 'INTEGER' as const, integerValue: 1024 },
    { name: 'MEMORY', type: 'INTEGER' as const, integerValue: 1024 },
  ];
  return {
    containerInstanceArn: arn,
    ec2InstanceId: id,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: resources,
    remainingResources: resources,
    attributes: [],
    runningTasksCount: 0,
    pendingTasksCount: 0,
    registeredAt: now,
    tags: [],
  };
}
