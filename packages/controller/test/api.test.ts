import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Baton, BatonApiError, createBaton, silentLogger } from '../src/index.js';

const td = {
  family: 'web',
  containerDefinitions: [
    { name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] },
  ],
};
let baton: Baton;

beforeEach(async () => {
  baton = await createBaton({ cluster: 'api', seed: 1, logger: silentLogger });
  await baton.start();
});
afterEach(async () => baton.stop());

async function error(p: Promise<unknown>): Promise<BatonApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BatonApiError) return e;
    throw e;
  }
  throw new Error('expected a BatonApiError');
}

describe("Baton's ECS API (no engine needed)", () => {
  it('creates its cluster on start, idempotently', async () => {
    const { clusters, failures } = await baton.describeClusters({ clusters: ['api', 'nope'] });
    expect(clusters.map((c) => [c.clusterName, c.status])).toEqual([['api', 'ACTIVE']]);
    expect(failures).toEqual([{ arn: 'arn:aws:ecs:local:000000000000:cluster/nope', reason: 'MISSING' }]);
    expect((await baton.createCluster({ clusterName: 'api' })).clusterName).toBe('api');
  });

  it('names the field and the rule of an invalid task definition, and the fields it ignores', async () => {
    const e = await error(
      baton.registerTaskDefinition({
        family: 'x',
        containerDefinitions: [
          { name: 'a', image: 'i', memory: 64, healthCheck: { command: ['CMD', 'true'], interval: 1 } },
        ],
      }),
    );
    expect(e.code).toBe('InvalidParameterException');
    expect(e.issues).toEqual([
      {
        path: 'containerDefinitions[0].healthCheck.interval',
        message: 'must be between 5 and 300 (got 1)',
        rule: 'range',
      },
    ]);
    const { taskDefinition, warnings } = await baton.registerTaskDefinition({
      ...td,
      executionRoleArn: 'arn:aws:iam::1:role/x',
    });
    expect(taskDefinition.revision).toBe(1);
    expect(warnings.map((w) => w.path)).toEqual(['executionRoleArn']);
  });

  it('refuses a service in a missing cluster, on a missing task definition, or behind a missing target group', async () => {
    await baton.registerTaskDefinition(td);
    expect(
      (
        await error(
          baton.createService({ cluster: 'nope', serviceName: 's', taskDefinition: 'web', desiredCount: 1 }),
        )
      ).code,
    ).toBe('ClusterNotFoundException');
    expect(
      (
        await error(
          baton.createService({ cluster: 'api', serviceName: 's', taskDefinition: 'ghost', desiredCount: 1 }),
        )
      ).message,
    ).toBe('ClientException: Unable to describe task definition ghost.');
    const lb = await error(
      baton.createService({
        cluster: 'api',
        serviceName: 's',
        taskDefinition: 'web',
        desiredCount: 1,
        loadBalancers: [
          {
            targetGroupArn: 'arn:aws:elasticloadbalancing:local:0:targetgroup/none/1',
            containerName: 'web',
            containerPort: 80,
          },
        ],
      }),
    );
    expect(lb.issues[0]?.path).toBe('loadBalancers[0].targetGroupArn');
  });

  it('creates a service once; updates need it ACTIVE; deleting needs it scaled to 0 (or force)', async () => {
    await baton.registerTaskDefinition(td);
    const s = await baton.createService({
      cluster: 'api',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 2,
    });
    expect(s.taskDefinition).toBe('arn:aws:ecs:local:000000000000:task-definition/web:1');
    expect(
      (
        await error(
          baton.createService({ cluster: 'api', serviceName: 'web', taskDefinition: 'web', desiredCount: 2 }),
        )
      ).message,
    ).toMatch(/not idempotent/);
    expect((await error(baton.deleteService({ cluster: 'api', service: 'web' }))).message).toMatch(
      /scaled above 0/,
    );
    expect((await baton.deleteService({ cluster: 'api', service: 'web', force: true })).status).toBe(
      'DRAINING',
    );
    expect((await error(baton.updateService({ cluster: 'api', service: 'web', desiredCount: 3 }))).code).toBe(
      'ServiceNotActiveException',
    );
    expect(
      (await error(baton.updateService({ cluster: 'api', service: 'ghost', desiredCount: 3 }))).code,
    ).toBe('ServiceNotFoundException');
  });

  it('says why RunTask could not place a task when there is no instance', async () => {
    await baton.registerTaskDefinition(td);
    const { tasks, failures } = await baton.runTask({ cluster: 'api', taskDefinition: 'web', count: 2 });
    expect(tasks).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toMatch(/no container instance/i);
  });

  it('records why a service cannot place tasks in its events', async () => {
    await baton.registerTaskDefinition(td);
    const first = new Promise<string>((resolve) => {
      const sub = baton.serviceEvents$.subscribe(({ event }) => {
        sub.unsubscribe();
        resolve(event.message);
      });
    });
    await baton.createService({ cluster: 'api', serviceName: 'web', taskDefinition: 'web', desiredCount: 1 });
    expect(await first).toMatch(/^\(service web\) was unable to place a task/);
    const [service] = (await baton.describeServices({ cluster: 'api', services: ['web'] })).services;
    expect(service!.events[0]!.message).toBe(await first);
  });
});
