import { parseService, parseTaskDefinition, type Task, type TaskDefinition } from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  batonKinds,
  createMemoryStore,
  deleteTaskDefinition,
  deregisterTaskDefinition,
  latestActiveTaskDefinition,
  registerTaskDefinition,
} from '../src/index.js';

function td(family = 'web'): TaskDefinition {
  const r = parseTaskDefinition({
    family,
    containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }],
  });
  if (isLeft(r)) throw r.left;
  return r.right.value;
}

describe("Baton's kinds", () => {
  it('registration assigns the next revision, with an ARN, ACTIVE', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const one = await registerTaskDefinition(store, td(), { now: 1000 });
    const two = await registerTaskDefinition(store, td(), { now: 2000 });
    expect(one.key).toBe('arn:aws:ecs:local:000000000000:task-definition/web:1');
    expect(two.object).toMatchObject({
      family: 'web',
      revision: 2,
      status: 'ACTIVE',
      registeredAt: 2000,
      taskDefinitionArn: 'arn:aws:ecs:local:000000000000:task-definition/web:2',
    });
    expect((await registerTaskDefinition(store, td('api'))).object.revision).toBe(1);
  });

  it('never reuses a revision, even after deregistration and deletion', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    await registerTaskDefinition(store, td());
    await registerTaskDefinition(store, td());
    await expect(deleteTaskDefinition(store, 'web', 2)).rejects.toThrow(
      /ACTIVE; deregister it before deleting it/,
    );
    expect((await deregisterTaskDefinition(store, 'web', 2, { now: 5 })).object).toMatchObject({
      status: 'INACTIVE',
      deregisteredAt: 5,
    });
    expect((await deleteTaskDefinition(store, 'web', 2)).object.status).toBe('DELETE_IN_PROGRESS');
    await store.delete('TaskDefinition', 'arn:aws:ecs:local:000000000000:task-definition/web:2');
    expect((await registerTaskDefinition(store, td())).object.revision).toBe(3);
    expect((await latestActiveTaskDefinition(store, 'web'))?.object.revision).toBe(3);
  });

  it('concurrent registrations get distinct revisions', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const entries = await Promise.all(Array.from({ length: 20 }, () => registerTaskDefinition(store, td())));
    expect(entries.map((e) => e.object.revision).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('a service bumps generation on a spec change, not on a status write', async () => {
    const parsed = parseService({
      serviceName: 'web',
      cluster: 'prod',
      taskDefinition: 'web:1',
      desiredCount: 2,
    });
    if (isLeft(parsed)) throw parsed.left;
    const store = await createMemoryStore({ kinds: batonKinds });
    const created = await store.create('Service', parsed.right.value);
    expect(created.key).toBe('prod/web');
    const status = await store.update('Service', 'prod/web', (s) => {
      s.runningCount = 2;
    });
    expect(status.generation).toBe(created.generation);
    const spec = await store.update('Service', 'prod/web', (s) => {
      s.desiredCount = 3;
    });
    expect(spec.generation).toBe(created.generation + 1);
  });

  it('indexes tasks by service, instance and cluster', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const task = (id: string, service: string | undefined, instance: string): Task => ({
      taskArn: `arn:aws:ecs:local:0:task/prod/${id}`,
      clusterArn: 'arn:aws:ecs:local:0:cluster/prod',
      taskDefinitionArn: 'arn:aws:ecs:local:0:task-definition/web:1',
      containerInstanceArn: `arn:aws:ecs:local:0:container-instance/prod/${instance}`,
      ...(service ? { group: `service:${service}` } : { group: 'family:web' }),
      launchType: 'EC2',
      overrides: { containerOverrides: [] },
      desiredStatus: 'RUNNING',
      lastStatus: 'PENDING',
      healthStatus: 'UNKNOWN',
      containers: [],
      tags: [],
    });
    await store.create('Task', task('a', 'web', 'i-1'));
    await store.create('Task', task('b', 'web', 'i-2'));
    await store.create('Task', task('c', undefined, 'i-1'));
    const byService = await store.list('Task', { index: 'byService', value: 'prod/web' });
    expect(byService.items.map((e) => e.key.split('/').pop())).toEqual(['a', 'b']);
    const byInstance = await store.list('Task', {
      index: 'byInstance',
      value: 'arn:aws:ecs:local:0:container-instance/prod/i-1',
    });
    expect(byInstance.items.map((e) => e.key.split('/').pop())).toEqual(['a', 'c']);
    expect((await store.list('Task', { index: 'byCluster', value: 'prod' })).items).toHaveLength(3);
  });
});
