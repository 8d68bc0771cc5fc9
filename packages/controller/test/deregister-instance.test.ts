import { afterEach, describe, expect, it } from 'vitest';
import { BatonApiError } from '../src/index.js';
import { type MemoryBaton, memoryBaton } from './support/memory-baton.js';

const td = { family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 128 }] };

/**
 * DeregisterContainerInstance as ECS has it: refused while the instance has tasks unless `force`;
 * forced, the instance is INACTIVE (out of placement) and a service's tasks on it are replaced on
 * another instance, with the service event saying so.
 *
 * Planted bug this was checked to catch: an INACTIVE instance not counted as lost in the service
 * reconciler's classification (the forced case then never replaces the task).
 */
describe('deregisterContainerInstance', () => {
  let m: MemoryBaton;
  afterEach(async () => m?.stop());

  async function serviceOnInstanceA() {
    m = await memoryBaton('dereg');
    const { baton } = m;
    const a = await m.addInstance('i-a');
    await baton.registerTaskDefinition(td);
    await baton.createService({
      cluster: 'dereg',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 1,
    });
    const tasks = baton.internals.informers.tasks;
    await m.tasksCached(() => tasks.size === 1);
    const [onA] = [...tasks.values()].map((e) => e.object);
    expect(onA?.containerInstanceArn).toBe(a.containerInstanceArn);
    const b = await m.addInstance('i-b');
    return { a, b, onA: onA! };
  }

  it('refuses an instance with tasks without force (InvalidParameterException), changing nothing', async () => {
    const { a, onA } = await serviceOnInstanceA();
    const { baton } = m;
    const [described] = (await baton.describeContainerInstances({ containerInstances: ['i-a'] }))
      .containerInstances;
    expect(described?.pendingTasksCount).toBe(1);

    const err = await baton
      .deregisterContainerInstance({ containerInstance: 'i-a' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatonApiError);
    expect(err).toMatchObject({ code: 'InvalidParameterException' });
    expect((err as Error).message).toBe(
      'InvalidParameterException: Container instance i-a still runs tasks; drain it or pass force.',
    );
    expect((await m.store.get('ContainerInstance', a.containerInstanceArn))?.object.status).toBe('ACTIVE');
    expect((await m.store.get('Task', onA.taskArn))?.object.desiredStatus).toBe('RUNNING');
  });

  it('answers InvalidParameterException naming an instance it does not know', async () => {
    m = await memoryBaton('dereg');
    const err = await m.baton
      .deregisterContainerInstance({ containerInstance: 'i-nope' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'InvalidParameterException',
      message: 'InvalidParameterException: Container instance not found: i-nope.',
    });
  });

  it('deregisters an instance without tasks: INACTIVE, out of the ACTIVE list, never placed on again', async () => {
    m = await memoryBaton('dereg');
    const { baton } = m;
    const a = await m.addInstance('i-a');
    const gone = await baton.deregisterContainerInstance({ containerInstance: a.containerInstanceArn });
    expect(gone).toMatchObject({ status: 'INACTIVE', agentConnected: false });
    const instances = baton.internals.informers.instances;
    await m.tasksCached(() => instances.get(a.containerInstanceArn)?.object.status === 'INACTIVE');
    await baton.registerTaskDefinition(td);
    const { tasks, failures } = await baton.runTask({ taskDefinition: 'web' });
    expect(tasks).toEqual([]);
    expect(failures).toHaveLength(1);
  });

  it('with force: INACTIVE, and the service’s task on it is replaced on another instance, with the event', async () => {
    const { a, b, onA } = await serviceOnInstanceA();
    const { baton } = m;
    const gone = await baton.deregisterContainerInstance({ containerInstance: 'i-a', force: true });
    expect(gone).toMatchObject({ containerInstanceArn: a.containerInstanceArn, status: 'INACTIVE' });

    const tasks = baton.internals.informers.tasks;
    await m.tasksCached(
      () =>
        tasks.get(onA.taskArn)?.object.desiredStatus === 'STOPPED' &&
        [...tasks.values()].some((e) => e.object.containerInstanceArn === b.containerInstanceArn),
    );
    const old = tasks.get(onA.taskArn)!.object;
    expect(old).toMatchObject({
      stopCode: 'InfrastructureHealth',
      stoppedReason: 'Task stopped because container instance i-a was lost',
    });
    const live = [...tasks.values()].map((e) => e.object).filter((t) => t.desiredStatus === 'RUNNING');
    expect(live.map((t) => t.containerInstanceArn)).toEqual([b.containerInstanceArn]);
    const [service] = (await baton.describeServices({ cluster: 'dereg', services: ['web'] })).services;
    expect(service?.events.map((e) => e.message)).toContain(
      '(service web) lost contact with container instance i-a; replacing 1 task.',
    );
  });
});
