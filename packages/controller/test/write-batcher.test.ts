import { ManualClock } from '@baton-ecs/loop';
import { parseTask, type Task } from '@baton-ecs/model';
import { batonKinds, createMemoryStore } from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { WriteBatcher } from '../src/write-batcher.js';

function task(id: string): Task {
  const r = parseTask({
    taskArn: `arn:aws:ecs:local:0:task/c/${id}`,
    clusterArn: 'arn:aws:ecs:local:0:cluster/c',
    taskDefinitionArn: 'arn:aws:ecs:local:0:task-definition/f:1',
  });
  if (isLeft(r)) throw r.left;
  return r.right.value;
}

describe('WriteBatcher', () => {
  it('groups writes into one commit within the latency cap', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const clock = new ManualClock();
    const batcher = new WriteBatcher(store, { clock, maxDelayMs: 5, maxBatch: 100 });
    const before = await store.version();
    const writes = ['a', 'b', 'c'].map((id) =>
      batcher.write({ op: 'create', kind: 'Task', object: task(id) }),
    );
    expect(await store.version()).toBe(before); // waiting for the cap
    clock.advance(5);
    expect(await Promise.all(writes)).toEqual([true, true, true]);
    expect(await store.version()).toBe(before + 1); // one commit, one version
    expect(batcher.commits).toBe(1);
  });

  it('flushes a full batch at once, without waiting', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const clock = new ManualClock();
    const batcher = new WriteBatcher(store, { clock, maxBatch: 2, maxDelayMs: 1000 });
    const writes = ['a', 'b'].map((id) => batcher.write({ op: 'create', kind: 'Task', object: task(id) }));
    expect(await Promise.all(writes)).toEqual([true, true]);
    expect(clock.now()).toBe(0); // no time passed
    expect(clock.pendingTimers).toBe(0); // the first write's cap timer was cleared by the flush
  });

  it('a stale write fails alone; the others in its batch land', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const a = await store.create('Task', task('a'));
    const b = await store.create('Task', task('b'));
    await store.update('Task', a.key, (t) => {
      t.lastStatus = 'PENDING';
    }); // a moves on: writes at a.version are stale
    const clock = new ManualClock();
    const batcher = new WriteBatcher(store, { clock });
    const stale = batcher.write({
      op: 'update',
      kind: 'Task',
      key: a.key,
      ifVersion: a.version,
      change: { ...a.object, lastStatus: 'RUNNING' },
    });
    const fresh = batcher.write({
      op: 'update',
      kind: 'Task',
      key: b.key,
      ifVersion: b.version,
      change: { ...b.object, lastStatus: 'RUNNING' },
    });
    clock.advance(5);
    expect([await stale, await fresh]).toEqual([false, true]);
    expect((await store.get('Task', b.key))?.object.lastStatus).toBe('RUNNING');
    expect((await store.get('Task', a.key))?.object.lastStatus).toBe('PENDING');
  });
});
