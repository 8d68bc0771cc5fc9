import type { Service } from '@baton-ecs/model';
import { type BatonKinds, batonKinds, createMemoryStore, type Store, serviceKey } from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import { type Baton, createBaton, silentLogger } from '../src/index.js';

/**
 * UpdateService starts its deployment in the call, as ECS does: the response and a DescribeServices
 * right after it show the new PRIMARY (IN_PROGRESS) and the previous one ACTIVE. These Batons are
 * not started until the test says so, so no scheduler pass can run in between: the metrics show none.
 */

const td = (image: string) => ({
  family: 'web',
  containerDefinitions: [{ name: 'web', image, memory: 64 }],
});

let baton: Baton | undefined;
afterEach(async () => {
  await baton?.stop();
  baton = undefined;
});

/** A Baton with cluster `upd`, revisions 1 and 2 of `web` and service `web` on revision 1; not started. */
async function unstarted(store?: Store<BatonKinds>): Promise<Baton> {
  baton = await createBaton({ cluster: 'upd', seed: 5, logger: silentLogger, ...(store ? { store } : {}) });
  await baton.createCluster({ clusterName: 'upd' });
  await baton.registerTaskDefinition(td('web:1'));
  await baton.registerTaskDefinition(td('web:2'));
  return baton;
}

/** The service controller's reconcile count, from Baton's metrics. */
function servicePasses(b: Baton): number {
  const lines = b.metrics().split('\n');
  return lines
    .filter((l) => l.startsWith('baton_reconcile_total{') && l.includes('controller="service"'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function described(b: Baton): Promise<Service> {
  const { services } = await b.describeServices({ cluster: 'upd', services: ['web'] });
  return services[0]!;
}

describe('UpdateService: the new deployment is in the response', () => {
  it('CreateService answers with the first PRIMARY deployment', async () => {
    const b = await unstarted();
    const created = await b.createService({
      cluster: 'upd',
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
    });
    expect(created.deployments.map((d) => [d.status, d.rolloutState, d.taskDefinition])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', created.taskDefinition],
    ]);
    expect(servicePasses(b)).toBe(0);
  });

  it('a new task definition: the response and DescribeServices show the new PRIMARY and the old ACTIVE, with no scheduler pass', async () => {
    const b = await unstarted();
    const created = await b.createService({
      cluster: 'upd',
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 2,
    });
    const first = created.deployments[0]!;
    const updated = await b.updateService({ cluster: 'upd', service: 'web', taskDefinition: 'web:2' });
    const shapes = (s: Service) =>
      s.deployments.map((d) => [d.status, d.rolloutState, d.taskDefinition.split(':').pop()]);
    expect(shapes(updated)).toEqual([
      ['PRIMARY', 'IN_PROGRESS', '2'],
      ['ACTIVE', 'IN_PROGRESS', '1'],
    ]);
    expect(updated.deployments[1]!.id).toBe(first.id);
    expect(updated.deployments[0]!.id).not.toBe(first.id);
    expect(updated.deployments[0]!.desiredCount).toBe(2);
    expect(shapes(await described(b))).toEqual(shapes(updated));
    expect(servicePasses(b)).toBe(0);

    // The scheduler then finds the PRIMARY it would have made: it creates nothing more.
    await b.start();
    await waitFor(() => servicePasses(b) > 0);
    const after = (await b.store.get('Service', serviceKey('upd', 'web')))!.object;
    // The old deployment, which had no task, may be gone; no other one appeared.
    expect(after.deployments[0]).toMatchObject({ id: updated.deployments[0]!.id, status: 'PRIMARY' });
    expect(after.deployments.every((d) => updated.deployments.some((u) => u.id === d.id))).toBe(true);
  });

  it('forceNewDeployment: a new PRIMARY of the same revision at once; nothing is left for the scheduler to serve', async () => {
    const b = await unstarted();
    const created = await b.createService({
      cluster: 'upd',
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
    });
    const updated = await b.updateService({ cluster: 'upd', service: 'web', forceNewDeployment: true });
    expect(updated.forceNewDeploymentRequestedAt).toBeUndefined();
    expect(updated.deployments.map((d) => [d.status, d.taskDefinition])).toEqual([
      ['PRIMARY', created.taskDefinition],
      ['ACTIVE', created.taskDefinition],
    ]);
    expect(updated.deployments[1]!.id).toBe(created.deployments[0]!.id);
    expect((await described(b)).deployments.map((d) => d.id)).toEqual(updated.deployments.map((d) => d.id));
    expect(servicePasses(b)).toBe(0);
  });

  it('scaling alone, or the same task definition again, starts no deployment', async () => {
    const b = await unstarted();
    const created = await b.createService({
      cluster: 'upd',
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
    });
    const ids = created.deployments.map((d) => d.id);
    const scaled = await b.updateService({ cluster: 'upd', service: 'web', desiredCount: 3 });
    expect(scaled.deployments.map((d) => d.id)).toEqual(ids);
    const same = await b.updateService({
      cluster: 'upd',
      service: 'web',
      taskDefinition: 'web:1',
      deploymentConfiguration: { minimumHealthyPercent: 50 },
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
    });
    expect(same.deployments.map((d) => d.id)).toEqual(ids);
    expect(servicePasses(b)).toBe(0);
  });

  it('a write that lands between the read and the commit: the update is decided again over it, one deployment made', async () => {
    const inner = await createMemoryStore({ kinds: batonKinds });
    const key = serviceKey('upd', 'web');
    let attempts = 0;
    let armed = false;
    // The store as a racing scheduler pass makes it: the first attempt's read goes stale before it commits.
    const racing = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        const transaction: Store<BatonKinds>['transaction'] = (fn, options) =>
          target.transaction(async (tx) => {
            if (armed) attempts++;
            const result = await fn(tx);
            if (armed && attempts === 1) {
              await target.update('Service', key, (s) => {
                s.runningCount = 7;
              });
            }
            return result;
          }, options);
        return transaction;
      },
    });
    const b = await unstarted(racing);
    const created = await b.createService({
      cluster: 'upd',
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: 1,
    });
    armed = true;
    const updated = await b.updateService({ cluster: 'upd', service: 'web', taskDefinition: 'web:2' });
    expect(attempts).toBe(2);
    // The concurrent write is kept, and the deployment is made once, over it.
    expect(updated.runningCount).toBe(7);
    expect(updated.deployments.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    expect(updated.deployments[1]!.id).toBe(created.deployments[0]!.id);
    const stored = (await inner.get('Service', key))!.object;
    expect(stored.deployments.map((d) => d.id)).toEqual(updated.deployments.map((d) => d.id));
    expect(stored.runningCount).toBe(7);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
