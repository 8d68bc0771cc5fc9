import { describe, expect, it } from 'vitest';
import {
  CompactedError,
  InvalidArgumentError,
  StoreClosedError,
  WatchOverflowError,
} from '../../src/index.js';
import { type StoreFactory, useStore } from './harness.js';
import { instance, task, taskKey } from './kinds.js';
import { Recorder } from './recorder.js';

export function watchTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('watch: snapshot and subscribe', () => {
    it('sends ADDED for every existing match (by key), SYNCED, then live events', async () => {
      const { store } = await setup();
      await store.create('Task', task('b'));
      await store.create('Task', task('a'));
      await store.create('Service', {
        cluster: 'c',
        serviceName: 's',
        taskDefinition: 't',
        desiredCount: 1,
        runningCount: 0,
      });
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      expect(r.summary()).toEqual([`ADDED ${taskKey('a')}@2`, `ADDED ${taskKey('b')}@1`, 'SYNCED@3']);
      const added = r.objects()[0]!;
      expect(added.object).toEqual(await store.get('Task', taskKey('a')));
      expect(added.previous).toBeUndefined();

      const before = (await store.get('Task', taskKey('a')))!;
      const after = await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      });
      await store.create('Task', task('c'));
      await store.delete('Task', taskKey('b'));
      await r.count(5);
      const [m, c, d] = r.objects().slice(2);
      expect(m).toEqual({
        type: 'MODIFIED',
        kind: 'Task',
        key: taskKey('a'),
        version: 4,
        object: after,
        previous: before,
      });
      expect(c).toMatchObject({ type: 'ADDED', key: taskKey('c'), version: 5, previous: undefined });
      expect(d).toMatchObject({ type: 'DELETED', key: taskKey('b'), version: 6, object: undefined });
      expect(d?.previous).toMatchObject({ key: taskKey('b'), version: 1 });
      r.stop();
    });

    it('has no gap and no duplicate around the subscription point', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const r = new Recorder(store.watch({ kind: 'Task' }));
      // Written after subscribing but before anything was delivered: live, not in the snapshot.
      const pending = store.create('Task', task('b'));
      await pending;
      await r.count(2);
      await r.settle();
      expect(r.summary()).toEqual([`ADDED ${taskKey('a')}@1`, 'SYNCED@1', `ADDED ${taskKey('b')}@2`]);
      r.stop();
    });

    it('delivers asynchronously: a write returns before any watcher runs', async () => {
      const { store } = await setup();
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      const p = store.create('Task', task('a'));
      expect(r.objects()).toHaveLength(0);
      await p;
      await r.count(1);
      r.stop();
    });

    it('delivers one commit’s events together, sharing its version', async () => {
      const { store } = await setup();
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      const { version } = await store.commit([
        { op: 'create', kind: 'Task', object: task('a') },
        { op: 'create', kind: 'Task', object: task('b') },
        {
          op: 'create',
          kind: 'Service',
          object: { cluster: 'c', serviceName: 's', taskDefinition: 't', desiredCount: 1, runningCount: 0 },
        },
      ]);
      await r.count(2);
      expect(r.objects().map((e) => e.version)).toEqual([version, version]);
      r.stop();
    });

    it('emits nothing for a no-op update', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'PENDING';
      });
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      });
      await r.count(2);
      expect(r.summary().slice(2)).toEqual([`MODIFIED ${taskKey('a')}@2`]);
      r.stop();
    });

    it('filters by key and by prefix', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const byKey = new Recorder(store.watch({ kind: 'Task', key: taskKey('b') }));
      const byPrefix = new Recorder(store.watch({ kind: 'Task', prefix: taskKey('x-') }));
      await byKey.synced();
      await byPrefix.synced();
      await store.create('Task', task('b'));
      await store.create('Task', task('x-1'));
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      });
      await store.update('Task', taskKey('b'), (t) => {
        t.lastStatus = 'RUNNING';
      });
      await byKey.count(2);
      await byPrefix.count(1);
      await byKey.settle();
      expect(byKey.summary()).toEqual(['SYNCED@1', `ADDED ${taskKey('b')}@2`, `MODIFIED ${taskKey('b')}@5`]);
      expect(byPrefix.summary()).toEqual(['SYNCED@1', `ADDED ${taskKey('x-1')}@3`]);
      byKey.stop();
      byPrefix.stop();
    });

    it('index filters turn moves into and out of the filter into ADDED and DELETED', async () => {
      const { store } = await setup();
      await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
      await store.create('Task', task('b', { containerInstanceArn: instance(2) }));
      const r = new Recorder(store.watch({ kind: 'Task', index: 'byInstance', value: instance(1) }));
      await r.synced();
      expect(r.summary()).toEqual([`ADDED ${taskKey('a')}@1`, 'SYNCED@2']);

      const bBefore = (await store.get('Task', taskKey('b')))!;
      const bIn = await store.update('Task', taskKey('b'), (t) => {
        t.containerInstanceArn = instance(1);
      });
      const aBefore = (await store.get('Task', taskKey('a')))!;
      const aOut = await store.update('Task', taskKey('a'), (t) => {
        t.containerInstanceArn = instance(3);
      });
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      }); // outside: nothing
      await store.update('Task', taskKey('b'), (t) => {
        t.lastStatus = 'RUNNING';
      }); // inside: MODIFIED
      await store.delete('Task', taskKey('b'));
      await r.count(5);
      await r.settle();
      const [, moveIn, moveOut, modified, deleted] = r.objects();
      expect(moveIn).toEqual({
        type: 'ADDED',
        kind: 'Task',
        key: taskKey('b'),
        version: 3,
        object: bIn,
        previous: bBefore,
      });
      expect(moveOut).toEqual({
        type: 'DELETED',
        kind: 'Task',
        key: taskKey('a'),
        version: 4,
        object: aOut,
        previous: aBefore,
      });
      expect(modified).toMatchObject({ type: 'MODIFIED', key: taskKey('b'), version: 6 });
      expect(deleted).toMatchObject({ type: 'DELETED', key: taskKey('b'), version: 7, object: undefined });
      expect(r.objects()).toHaveLength(5);
      r.stop();
    });

    it('stops delivering after unsubscribe; watchers are independent', async () => {
      const { store } = await setup();
      const a = new Recorder(store.watch({ kind: 'Task' }));
      const b = new Recorder(store.watch({ kind: 'Task' }));
      await a.synced();
      await b.synced();
      await store.create('Task', task('a'));
      await a.count(1);
      a.stop();
      await store.create('Task', task('b'));
      await b.count(2);
      await a.settle();
      expect(a.objects()).toHaveLength(1);
      expect(a.ended).toBe(false);
      b.stop();
    });

    it('fails the subscription for an unknown kind or index', async () => {
      const { store } = await setup();
      const r = new Recorder(store.watch({ kind: 'Nope' as 'Task' }));
      await r.end();
      expect(r.error).toBeInstanceOf(InvalidArgumentError);
      const r2 = new Recorder(store.watch({ kind: 'Task', index: 'nope', value: 'x' }));
      await r2.end();
      expect(r2.error).toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('watch: replay from a version', () => {
    it('replays every committed event after fromVersion, then SYNCED, then live', async () => {
      const { store } = await setup();
      await store.create('Task', task('a')); // 1
      await store.create('Task', task('b')); // 2
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      }); // 3
      await store.delete('Task', taskKey('b')); // 4
      const r = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: 2 }));
      await r.synced();
      expect(r.summary()).toEqual([`MODIFIED ${taskKey('a')}@3`, `DELETED ${taskKey('b')}@4`, 'SYNCED@4']);
      const modified = r.objects()[0]!;
      expect(modified.previous?.version).toBe(1);
      await store.create('Task', task('c'));
      await r.count(3);
      expect(r.summary().at(-1)).toBe(`ADDED ${taskKey('c')}@5`);
      r.stop();
    });

    it('from the current version sends only SYNCED, then live events', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const r = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: 1 }));
      await r.synced();
      expect(r.summary()).toEqual(['SYNCED@1']);
      r.stop();
    });

    it('applies filters to replayed events, including moves', async () => {
      const { store } = await setup();
      await store.create('Task', task('a', { containerInstanceArn: instance(1) })); // 1
      await store.create('Task', task('b', { containerInstanceArn: instance(2) })); // 2
      await store.update('Task', taskKey('b'), (t) => {
        t.containerInstanceArn = instance(1);
      }); // 3
      await store.update('Task', taskKey('a'), (t) => {
        t.containerInstanceArn = instance(2);
      }); // 4
      const r = new Recorder(
        store.watch({ kind: 'Task', index: 'byInstance', value: instance(1) }, { fromVersion: 0 }),
      );
      await r.synced();
      expect(r.summary()).toEqual([
        `ADDED ${taskKey('a')}@1`,
        `ADDED ${taskKey('b')}@3`,
        `DELETED ${taskKey('a')}@4`,
        'SYNCED@4',
      ]);
      r.stop();
    });

    it('fails with CompactedError when fromVersion is older than the retained window', async () => {
      const { store } = await setup({ watchWindow: 3 });
      for (let i = 0; i < 8; i++) await store.create('Task', task(`t${i}`));
      const r = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: 0 }));
      await r.end();
      expect(r.error).toBeInstanceOf(CompactedError);
      expect((r.error as CompactedError).code).toBe('COMPACTED');
      expect((r.error as Error).message).toContain('re-list');
      const recent = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: 7 }));
      await recent.synced();
      expect(recent.summary()).toEqual([`ADDED ${taskKey('t7')}@8`, 'SYNCED@8']);
      recent.stop();
    });

    it('rejects a fromVersion ahead of the store', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const r = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: 5 }));
      await r.end();
      expect(r.error).toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('watch: bounded buffers', () => {
    it('ends a watcher that falls more than maxBufferedEvents behind; it can resume from resumeVersion', async () => {
      const { store } = await setup({ maxBufferedEvents: 5 });
      await store.create('Task', task('a')); // 1
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      await store.create('Task', task('b')); // 2: fits
      const burst = Array.from({ length: 6 }, (_, i) => ({
        op: 'create' as const,
        kind: 'Task' as const,
        object: task(`burst-${i}`),
      }));
      await store.commit(burst); // 3: six events for one watcher: overflow
      await r.end();
      expect(r.error).toBeInstanceOf(WatchOverflowError);
      const err = r.error as WatchOverflowError;
      expect(err.code).toBe('WATCH_OVERFLOW');
      expect(err.message).toContain('re-list');
      expect(err.resumeVersion).toBe(2);
      expect(r.summary()).toEqual([`ADDED ${taskKey('a')}@1`, 'SYNCED@1', `ADDED ${taskKey('b')}@2`]);

      const resumed = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: err.resumeVersion }));
      await resumed.synced();
      expect(resumed.objects()).toHaveLength(6);
      expect(resumed.objects().every((e) => e.version === 3)).toBe(true);
      resumed.stop();
    });

    it('never ends a watcher that keeps up, however many events flow', async () => {
      const { store } = await setup({ maxBufferedEvents: 3 });
      await store.create('Counter', { name: 'c', value: 0 });
      const r = new Recorder(store.watch({ kind: 'Counter' }));
      await r.synced();
      for (let i = 1; i <= 40; i++) {
        await store.update('Counter', 'c', (c) => {
          c.value = i;
        });
        await r.count(i + 1);
      }
      expect(r.error).toBeUndefined();
      expect(r.objects().at(-1)?.object?.object.value).toBe(40);
      r.stop();
    });
  });

  describe('close', () => {
    it('completes watchers, rejects later calls with StoreClosedError, and is idempotent', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      await store.close();
      await r.end();
      expect(r.completed).toBe(true);
      await store.close();
      const err = await store.get('Task', taskKey('a')).catch((e) => e);
      expect(err).toBeInstanceOf(StoreClosedError);
      expect(err.code).toBe('STORE_CLOSED');
      await expect(store.create('Task', task('b'))).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.list('Task')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.commit([])).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.nextSequence('s')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.transaction(() => 1)).rejects.toBeInstanceOf(StoreClosedError);
      const late = new Recorder(store.watch({ kind: 'Task' }));
      await late.end();
      expect(late.error).toBeInstanceOf(StoreClosedError);
    });

    it('delivers events committed before close to watchers before completing them', async () => {
      const { store } = await setup();
      const r = new Recorder(store.watch({ kind: 'Task' }));
      await r.synced();
      const writes = [store.create('Task', task('a')), store.create('Task', task('b'))];
      await store.close();
      await Promise.all(writes);
      await r.end();
      expect(r.completed).toBe(true);
      expect(r.summary()).toEqual(['SYNCED@0', `ADDED ${taskKey('a')}@1`, `ADDED ${taskKey('b')}@2`]);
    });
  });
}
