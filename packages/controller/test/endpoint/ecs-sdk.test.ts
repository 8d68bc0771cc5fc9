import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSServiceException,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  paginateListServices,
  paginateListTaskDefinitions,
  paginateListTasks,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import { bob, ecsClient, engineLessBaton, mount, seedTasks, webTaskDefinition } from './helpers.js';

async function errorOf(p: Promise<unknown>): Promise<ECSServiceException> {
  try {
    await p;
  } catch (e) {
    return e as ECSServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('ECS JSON protocol through @aws-sdk/client-ecs (handler on node:http)', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton);
  });
  const arnPrefix = () => `arn:aws:ecs:${baton.arnContext.region}:${baton.arnContext.account}`;
  afterAll(async () => {
    await endpoint.close();
    await baton.stop();
  });

  it('creates, describes and lists clusters; pages ListClusters', async () => {
    const ecs = ecsClient(endpoint.url);
    const created = await ecs.send(new CreateClusterCommand({ clusterName: 'api-c1' }));
    expect(created.cluster?.clusterArn).toBe(`${arnPrefix()}:cluster/api-c1`);
    expect(created.cluster?.status).toBe('ACTIVE');
    await ecs.send(new CreateClusterCommand({ clusterName: 'api-c2' }));
    const d = await ecs.send(new DescribeClustersCommand({ clusters: ['api-c1', 'nope'] }));
    expect(d.clusters?.map((c) => c.clusterName)).toEqual(['api-c1']);
    expect(d.failures).toEqual([{ arn: `${arnPrefix()}:cluster/nope`, reason: 'MISSING' }]);
    const first = await ecs.send(new ListClustersCommand({ maxResults: 2 }));
    expect(first.clusterArns).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
    const second = await ecs.send(new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken }));
    const all = [...first.clusterArns!, ...second.clusterArns!];
    expect(all.map((a) => a.split('/')[1]).sort()).toEqual(['api-c1', 'api-c2', 'default']);
    expect(second.nextToken).toBeUndefined();
  });

  it('registers a task definition from ECS JSON; timestamps come back as dates', async () => {
    const ecs = ecsClient(endpoint.url);
    const before = Date.now();
    const r = await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition('api-web')));
    expect(r.taskDefinition?.revision).toBe(1);
    expect(r.taskDefinition?.containerDefinitions?.[0]?.essential).toBe(true);
    const d = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api-web' }));
    expect(d.taskDefinition?.taskDefinitionArn).toBe(r.taskDefinition?.taskDefinitionArn);
    expect(d.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    expect(d.taskDefinition!.registeredAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(d.taskDefinition!.registeredAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('creates, updates and deletes a service with ECS errors for what ECS refuses', async () => {
    const ecs = ecsClient(endpoint.url, bob);
    await ecs.send(new CreateClusterCommand({ clusterName: 'api-svc' }));
    await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition('api-svc-web')));
    const s = await ecs.send(
      new CreateServiceCommand({
        cluster: 'api-svc',
        serviceName: 'web',
        taskDefinition: 'api-svc-web',
        desiredCount: 2,
      }),
    );
    expect(s.service?.serviceArn).toBe(`${arnPrefix()}:service/api-svc/web`);
    expect(s.service?.createdAt).toBeInstanceOf(Date);
    const dup = await errorOf(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'api-svc',
          serviceName: 'web',
          taskDefinition: 'api-svc-web',
          desiredCount: 1,
        }),
      ),
    );
    expect(dup.name).toBe('InvalidParameterException');
    expect(dup.message).toBe('Creation of service was not idempotent.');
    expect(dup.$metadata.httpStatusCode).toBe(400);
    const noCluster = await errorOf(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'api-none',
          serviceName: 'web',
          taskDefinition: 'api-svc-web',
          desiredCount: 1,
        }),
      ),
    );
    expect(noCluster.name).toBe('ClusterNotFoundException');
    const busy = await errorOf(ecs.send(new DeleteClusterCommand({ cluster: 'api-svc' })));
    expect(busy.name).toBe('ClusterContainsServicesException');
    const u = await ecs.send(
      new UpdateServiceCommand({ cluster: 'api-svc', service: 'web', desiredCount: 3 }),
    );
    expect(u.service?.desiredCount).toBe(3);
    const refused = await errorOf(ecs.send(new DeleteServiceCommand({ cluster: 'api-svc', service: 'web' })));
    expect(refused.name).toBe('InvalidParameterException');
    const del = await ecs.send(new DeleteServiceCommand({ cluster: 'api-svc', service: 'web', force: true }));
    expect(del.service?.status).toBe('DRAINING');
    const missing = await errorOf(
      ecs.send(new UpdateServiceCommand({ cluster: 'api-svc', service: 'nope' })),
    );
    expect(missing.name).toBe('ServiceNotFoundException');
    const described = await ecs.send(
      new DescribeServicesCommand({ cluster: 'api-svc', services: ['web', 'ghost'] }),
    );
    expect(described.services?.[0]?.desiredCount).toBe(0);
    expect(described.failures?.[0]?.reason).toBe('MISSING');
  });

  it('pages ListServices (default 10), ListTasks (default 100) and ListTaskDefinitions past one page', async () => {
    const ecs = ecsClient(endpoint.url);
    await ecs.send(new CreateClusterCommand({ clusterName: 'api-pages' }));
    const td = await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition('api-pages')));
    for (let i = 0; i < 12; i++)
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'api-pages',
          serviceName: `s${i}`,
          taskDefinition: 'api-pages',
          desiredCount: 0,
        }),
      );
    const firstServices = await ecs.send(new ListServicesCommand({ cluster: 'api-pages' }));
    expect(firstServices.serviceArns).toHaveLength(10);
    const services: string[] = [];
    for await (const p of paginateListServices({ client: ecs }, { cluster: 'api-pages' }))
      services.push(...(p.serviceArns ?? []));
    expect(services).toHaveLength(12);
    expect(new Set(services).size).toBe(12);

    const seeded = await seedTasks(baton, 'api-pages', td.taskDefinition!.taskDefinitionArn!, 230);
    const firstTasks = await ecs.send(new ListTasksCommand({ cluster: 'api-pages' }));
    expect(firstTasks.taskArns).toHaveLength(100);
    const tasks: string[] = [];
    for await (const p of paginateListTasks({ client: ecs, pageSize: 40 }, { cluster: 'api-pages' }))
      tasks.push(...(p.taskArns ?? []));
    expect(tasks.sort()).toEqual([...seeded].sort());
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: 'api-pages', tasks: tasks.slice(0, 3) }),
    );
    expect(described.tasks?.map((t) => t.lastStatus)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(described.tasks?.[0]?.createdAt).toBeInstanceOf(Date);

    for (let i = 0; i < 4; i++)
      await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition('api-pages')));
    const asc: string[] = [];
    for await (const p of paginateListTaskDefinitions(
      { client: ecs, pageSize: 2 },
      { familyPrefix: 'api-pages' },
    ))
      asc.push(...(p.taskDefinitionArns ?? []));
    expect(asc.map((a) => Number(a.split(':').pop()))).toEqual([1, 2, 3, 4, 5]);
    const desc: string[] = [];
    for await (const p of paginateListTaskDefinitions(
      { client: ecs, pageSize: 2 },
      { familyPrefix: 'api-pages', sort: 'DESC' },
    ))
      desc.push(...(p.taskDefinitionArns ?? []));
    expect(desc.map((a) => Number(a.split(':').pop()))).toEqual([5, 4, 3, 2, 1]);
    const tooMany = await errorOf(ecs.send(new ListTasksCommand({ cluster: 'api-pages', maxResults: 101 })));
    expect(tooMany.name).toBe('InvalidParameterException');
    const badToken = await errorOf(
      ecs.send(new ListTasksCommand({ cluster: 'api-pages', nextToken: 'garbage!' })),
    );
    expect(badToken.name).toBe('InvalidParameterException');
  });
});
