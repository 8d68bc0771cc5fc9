import { setAutoFreeze } from 'immer';
import { describe, expect, it } from 'vitest';
import { ConflictError, createMemoryStore, InvalidArgumentError, WatchOverflowError } from '../src/index.js';
import { instance, task, taskKey, testKinds } from './conformance/kinds.js';
import { Recorder } from './conformance/recorder.js';

const open = (options: { watchWindow?: number; maxBufferedEvents?: number } = {}) =>
  createMemoryStore({ kinds: testKinds, clock: () => 0, ...options });

describe('memory backend specifics', () => {
  it('shares untouched subtrees between versions (immer structural sharing)', async () => {
    const store = await open();
    const v1 = await store.create('Task', task('a'));
    const v2 = await store.update('Task', taskKey('a'), (t) => {
      t.lastStatus = 'RUNNING';
    });
    expect(v2.object).not.toBe(v1.object);
    expect(v2.object.containers).toBe(v1.object.containers);
  });

  it('takes ownership of created objects by freezing them', async () => {
    const store = await open();
    const mine = task('a');
    await store.create('Task', mine);
    expect(Object.isFrozen(mine)).toBe(true);
    expect(Object.isFrozen(mine.containers[0])).toBe(true);
  });

  it("keeps objects frozen even if someone turns immer's global auto-freeze off", async () => {
    const store = await open();
    await store.create('Task', task('a'));
    setAutoFreeze(false);
    try {
      const e = await store.update('Task', taskKey('a'), (t) => {
        t.containers[0]!.lastStatus = 'RUNNING';
      });
      expect(Object.isFrozen(e.object.containers[0])).toBe(true);
    } finally {
      setAutoFreeze(true);
    }
  });

  it('applies writes synchronously at call time', async () => {
    const store = await open();
    void store.create('Task', task('a'));
    const p = store.get('Task', taskKey('a'));
    expect(store.stats().version).toBe(1);
    expect(await p).toBeDefined();
  });

  it('overflows a watcher when a burst of separate commits outruns delivery', async () => {
    const store = await open({ maxBufferedEvents: 10 });
    const r = new Recorder(store.watch({ kind: 'Counter' }));
    await r.synced();
    const writes = Array.from({ length: 25 }, (_, i) => store.create('Counter', { name: `c${i}`, value: i }));
    await Promise.all(writes);
    await r.end();
    expect(r.error).toBeInstanceOf(WatchOverflowError);
    // It got exactly the 10 events that fit, whole commits only, then the error.
    expect(r.objects()).toHaveLength(10);
    expect((r.error as WatchOverflowError).resumeVersion).toBe(10);
    expect(store.stats().watchers).toBe(0);
  });

  it('answers index list checks exactly: changes elsewhere do not conflict', async () => {
    const store = await open();
    await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
    await store.create('Task', task('b', { containerInstanceArn: instance(2) }));
    const { version } = await store.list('Task', { index: 'byInstance', value: instance(1) });
    await store.update('Task', taskKey('b'), (t) => {
      t.lastStatus = 'RUNNING';
    });
    const check = {
      op: 'check',
      kind: 'Task',
      index: 'byInstance',
      value: instance(1),
      notModifiedSince: version,
    } as const;
    await expect(store.commit([check])).resolves.toBeDefined();
    // Moving b onto instance 1 changes that list.
    await store.update('Task', taskKey('b'), (t) => {
      t.containerInstanceArn = instance(1);
    });
    await expect(store.commit([check])).rejects.toBeInstanceOf(ConflictError);
  });

  it('answers a list check on an emptied index value conservatively', async () => {
    const store = await open();
    await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
    const { version } = await store.list('Task', { index: 'byInstance', value: instance(1) });
    await store.delete('Task', taskKey('a'));
    await expect(
      store.commit([
        { op: 'check', kind: 'Task', index: 'byInstance', value: instance(1), notModifiedSince: version },
      ]),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('reports stats', async () => {
    const store = await open({ watchWindow: 2 });
    await store.create('Task', task('a'));
    await store.create('Task', task('b'));
    await store.create('Service', {
      cluster: 'c',
      serviceName: 's',
      taskDefinition: 't',
      desiredCount: 1,
      runningCount: 0,
    });
    await store.nextSequence('s');
    const r = new Recorder(store.watch({ kind: 'Task' }));
    await r.synced();
    expect(store.stats()).toEqual({
      version: 4,
      objects: { Task: 2, Service: 1, TaskDefinition: 0, Counter: 0 },
      sequences: 1,
      watchers: 1,
      window: { size: 2, capacity: 2, compactedThrough: 1 },
      persistence: undefined,
    });
    r.stop();
    expect(store.stats().watchers).toBe(0);
  });

  it('validates its options', async () => {
    await expect(open({ watchWindow: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(open({ maxBufferedEvents: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createMemoryStore({} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('with watchWindow 0 can still watch from the current version', async () => {
    const store = await open({ watchWindow: 0 });
    await store.create('Task', task('a'));
    const r = new Recorder(store.watch({ kind: 'Task' }, { fromVersion: 1 }));
    await r.synced();
    expect(r.summary()).toEqual(['SYNCED@1']);
    r.stop();
  });
});
