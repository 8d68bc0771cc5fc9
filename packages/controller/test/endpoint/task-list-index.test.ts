import { ListServicesCommand, ListTasksCommand, paginateListTasks } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Baton, catchUp } from '../../src/index.js';
import { ecsClient, engineLessBaton, errorOf, mount, seedTasks } from './helpers.js';

/** Every page of ListTasks through the SDK (the endpoint's index answers these filters). */
async function listAll(
  url: string,
  input: { cluster?: string; serviceName?: string; desiredStatus?: 'RUNNING' | 'STOPPED' },
) {
  const out: string[] = [];
  for await (const p of paginateListTasks({ client: ecsClient(url), pageSize: 7 }, { ...input }))
    out.push(...(p.taskArns ?? []));
  return out;
}

describe('ListTasks from the endpoint index answers as baton.listTasks does', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let tdArn: string;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton);
    for (const c of ['idx-a', 'idx-b']) await baton.createCluster({ clusterName: c });
    const { taskDefinition } = await baton.registerTaskDefinition({
      family: 'idx',
      containerDefinitions: [{ name: 'a', image: 'busybox', memory: 16 }],
    });
    tdArn = taskDefinition.taskDefinitionArn!;
  });
  afterAll(async () => {
    await endpoint.close();
    await baton.stop();
  });

  it('agrees before and after tasks are added, stopped and removed', async () => {
    const a1 = await seedTasks(baton, 'idx-a', tdArn, 12, 'service:one');
    await seedTasks(baton, 'idx-a', tdArn, 5, 'family:idx', 100);
    await seedTasks(baton, 'idx-b', tdArn, 9, 'service:one');
    const queries = [
      { cluster: 'idx-a' },
      { cluster: 'idx-a', serviceName: 'one' },
      { cluster: 'idx-a', serviceName: 'arn:aws:ecs:us-east-1:000000000000:service/idx-a/one' },
      { cluster: 'idx-a', serviceName: 'one', desiredStatus: 'STOPPED' as const },
      { cluster: 'idx-b', serviceName: 'one' },
      { cluster: 'idx-b', serviceName: 'two' },
    ];
    const check = async () => {
      for (const q of queries)
        expect(await listAll(endpoint.url, q), JSON.stringify(q)).toEqual(
          (await baton.listTasks(q)).taskArns,
        );
    };
    // The endpoint's index and baton.listTasks both read the tasks informer: compare once it has
    // applied every write so far.
    const caughtUp = () => catchUp(baton.store, [baton.internals.informers.tasks], 10_000);
    expect(await caughtUp()).toBe(true);
    await check();
    expect((await listAll(endpoint.url, { cluster: 'idx-a' })).length).toBe(17);
    // Stop three, delete two: the index follows the informer.
    for (const arn of a1.slice(0, 3))
      await baton.store.update('Task', arn, (t) => {
        t.desiredStatus = 'STOPPED';
      });
    for (const arn of a1.slice(3, 5)) await baton.store.delete('Task', arn);
    expect(await caughtUp()).toBe(true);
    await check();
    expect(
      await listAll(endpoint.url, { cluster: 'idx-a', serviceName: 'one', desiredStatus: 'STOPPED' }),
    ).toEqual([...a1.slice(0, 3)].sort());
    expect((await listAll(endpoint.url, { cluster: 'idx-a', serviceName: 'one' })).length).toBe(7);
  });

  it('ListTasks and ListServices name a missing or deleted cluster: ClusterNotFoundException', async () => {
    const ecs = ecsClient(endpoint.url);
    for (const send of [
      () => ecs.send(new ListTasksCommand({ cluster: 'idx-none' })),
      () => ecs.send(new ListTasksCommand({ cluster: 'idx-none', family: 'idx' })),
      () => ecs.send(new ListServicesCommand({ cluster: 'idx-none' })),
    ]) {
      const e = await errorOf(send());
      expect([e.name, e.message]).toEqual(['ClusterNotFoundException', 'Cluster not found: idx-none.']);
    }
    await baton.createCluster({ clusterName: 'idx-gone' });
    await baton.deleteCluster({ cluster: 'idx-gone' });
    const gone = await errorOf(ecs.send(new ListTasksCommand({ cluster: 'idx-gone' })));
    expect(gone.name).toBe('ClusterNotFoundException');
    await expect(baton.listTasks({ cluster: 'idx-gone' })).rejects.toMatchObject({
      code: 'ClusterNotFoundException',
    });
    const bad = await errorOf(ecs.send(new ListTasksCommand({ cluster: 'idx-a', desiredStatus: 'PENDING' })));
    expect(bad.name).toBe('InvalidParameterException');
  });
});
