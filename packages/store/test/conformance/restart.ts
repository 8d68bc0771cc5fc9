import { describe, expect, it } from 'vitest';
import { type StoreFactory, T0, useStore } from './harness.js';
import { instance, task, taskKey } from './kinds.js';
import { Recorder } from './recorder.js';
import { register } from './sequences.js';

/** Runs only for backends whose factory can reopen the same data. */
export function restartTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('restart', () => {
    it('keeps objects, metadata, versions, indexes and sequences', async () => {
      const h = await setup();
      if (!h.reopen) return;
      const { store, clock } = h;
      await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
      clock.now = T0 + 10;
      await store.update('Task', taskKey('a'), (t) => {
        t.desiredStatus = 'STOPPED';
      });
      await store.create('Task', task('b', { containerInstanceArn: instance(1) }));
      await store.delete('Task', taskKey('b'));
      expect(await register(store, 'web')).toBe(1);
      expect(await register(store, 'web')).toBe(2);
      await store.delete('TaskDefinition', 'web:2');
      const before = {
        tasks: await store.list('Task'),
        defs: await store.list('TaskDefinition'),
        version: await store.version(),
      };

      const again = await h.reopen();
      expect(await again.version()).toBe(before.version);
      expect(await again.list('Task')).toEqual(before.tasks);
      expect(await again.list('TaskDefinition')).toEqual(before.defs);
      expect((await again.get('Task', taskKey('a')))?.object.desiredStatus).toBe('STOPPED');
      expect(await again.get('Task', taskKey('a'))).toMatchObject({
        generation: 2,
        createdAt: T0,
        updatedAt: T0 + 10,
      });
      expect((await again.list('Task', { index: 'byInstance', value: instance(1) })).items).toHaveLength(1);
      // The deleted revision 2 is not handed out again.
      expect(await again.sequence('TaskDefinition/web')).toBe(2);
      expect(await register(again, 'web')).toBe(3);
      const e = await again.create('Task', task('c'));
      expect(e.version).toBe(before.version + 2);
    });

    it('serves watches on the reopened store', async () => {
      const h = await setup();
      if (!h.reopen) return;
      await h.store.create('Task', task('a'));
      const again = await h.reopen();
      const r = new Recorder(again.watch({ kind: 'Task' }));
      await r.synced();
      await again.create('Task', task('b'));
      await r.count(2);
      expect(r.summary()).toEqual([`ADDED ${taskKey('a')}@1`, 'SYNCED@1', `ADDED ${taskKey('b')}@2`]);
      r.stop();
    });
  });
}
