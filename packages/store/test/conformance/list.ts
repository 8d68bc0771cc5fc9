import { describe, expect, it } from 'vitest';
import { type StoreFactory, useStore } from './harness.js';
import { instance, service, task, taskKey } from './kinds.js';

export function listAndGenerationTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('generation', () => {
    it('bumps only when the spec projection changes', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const status = await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
        t.containerInstanceArn = instance(2);
      });
      expect(status.generation).toBe(1);
      const spec = await store.update('Task', taskKey('a'), (t) => {
        t.desiredStatus = 'STOPPED';
      });
      expect(spec.generation).toBe(2);
      const nested = await store.update('Task', taskKey('a'), (t) => {
        t.overrides = { containerOverrides: [{ name: 'web', command: ['sh'] }] };
      });
      expect(nested.generation).toBe(3);
      // A replacement whose spec is deep-equal (new objects, same content) is not a spec change.
      const replaced = await store.update('Task', taskKey('a'), {
        ...nested.object,
        lastStatus: 'STOPPED',
        overrides: { containerOverrides: [{ name: 'web', command: ['sh'] }] },
      });
      expect(replaced.generation).toBe(3);
      expect(replaced.version).toBeGreaterThan(nested.version);
    });

    it('a kind without a spec projection bumps generation on every change', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 0 });
      const e = await store.update('Counter', 'c', (c) => {
        c.value += 1;
      });
      expect(e.generation).toBe(2);
    });

    it('survives deletes of other objects and is per object', async () => {
      const { store } = await setup();
      await store.create('Service', service('a'));
      await store.create('Service', service('b'));
      await store.update('Service', 'default/a', (s) => {
        s.desiredCount = 3;
      });
      await store.update('Service', 'default/b', (s) => {
        s.runningCount = 2;
      });
      expect((await store.get('Service', 'default/a'))?.generation).toBe(2);
      expect((await store.get('Service', 'default/b'))?.generation).toBe(1);
    });
  });

  describe('list', () => {
    it('returns items sorted by key with the version they are consistent with', async () => {
      const { store } = await setup();
      for (const id of ['m', 'b', 'z', 'a', 'k']) await store.create('Task', task(id));
      await store.delete('Task', taskKey('k'));
      const { items, version } = await store.list('Task');
      expect(items.map((e) => e.key)).toEqual(['a', 'b', 'm', 'z'].map(taskKey));
      expect(version).toBe(6);
    });

    it('keeps order across many inserts and deletes', async () => {
      const { store } = await setup();
      const ids = Array.from(
        { length: 300 },
        (_, i) => `t-${((i * 7919) % 300).toString().padStart(3, '0')}`,
      );
      await store.commit(ids.map((id) => ({ op: 'create', kind: 'Task', object: task(id) })));
      await store.commit(
        ids.filter((_, i) => i % 3 === 0).map((id) => ({ op: 'delete', kind: 'Task', key: taskKey(id) })),
      );
      const expected = ids
        .filter((_, i) => i % 3 !== 0)
        .map(taskKey)
        .sort();
      expect((await store.list('Task')).items.map((e) => e.key)).toEqual(expected);
    });

    it('filters by index, following objects as their indexed values change', async () => {
      const { store } = await setup();
      await store.create('Task', task('a', { group: 'service:web' }));
      await store.create('Task', task('b', { group: 'service:api' }));
      await store.create('Task', task('c', { group: 'service:web' }));
      await store.create('Task', task('d', { group: undefined }));
      const web = async () =>
        (await store.list('Task', { index: 'byService', value: 'web' })).items.map((e) => e.key);
      expect(await web()).toEqual([taskKey('a'), taskKey('c')]);
      await store.update('Task', taskKey('c'), (t) => {
        t.group = 'service:api';
      });
      await store.update('Task', taskKey('b'), (t) => {
        t.group = 'service:web';
      });
      await store.delete('Task', taskKey('a'));
      expect(await web()).toEqual([taskKey('b')]);
      expect((await store.list('Task', { index: 'byService', value: 'nothing' })).items).toEqual([]);
    });

    it('supports multi-valued indexes', async () => {
      const { store } = await setup();
      await store.create(
        'Task',
        task('a', {
          containers: [
            { name: 'web', image: 'nginx', lastStatus: 'PENDING' },
            { name: 'log', image: 'fluentbit', lastStatus: 'PENDING' },
          ],
        }),
      );
      await store.create(
        'Task',
        task('b', { containers: [{ name: 'web', image: 'nginx', lastStatus: 'PENDING' }] }),
      );
      const byImage = async (v: string) =>
        (await store.list('Task', { index: 'byImage', value: v })).items.map((e) => e.key);
      expect(await byImage('nginx')).toEqual([taskKey('a'), taskKey('b')]);
      expect(await byImage('fluentbit')).toEqual([taskKey('a')]);
      await store.update('Task', taskKey('a'), (t) => void t.containers.pop());
      expect(await byImage('fluentbit')).toEqual([]);
      expect(await byImage('nginx')).toEqual([taskKey('a'), taskKey('b')]);
    });

    it('filters by key prefix, alone or with an index', async () => {
      const { store } = await setup();
      await store.create('Service', service('web', { cluster: 'prod' }));
      await store.create('Service', service('api', { cluster: 'prod' }));
      await store.create('Service', service('web', { cluster: 'dev' }));
      await store.create('Service', service('web', { cluster: 'production' }));
      const keys = async (o: { prefix?: string; index?: string; value?: string }) =>
        (await store.list('Service', o)).items.map((e) => e.key);
      expect(await keys({ prefix: 'prod/' })).toEqual(['prod/api', 'prod/web']);
      expect(await keys({ prefix: 'prod' })).toEqual(['prod/api', 'prod/web', 'production/web']);
      expect(await keys({ prefix: 'prod/w', index: 'byCluster', value: 'prod' })).toEqual(['prod/web']);
      expect(await keys({ prefix: 'x' })).toEqual([]);
    });
  });
}
