import { type BatonKinds, type Op, type Store, StoreUnavailableError } from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import type { CacheChange } from '../src/index.js';
import { type MemoryBaton, memoryBaton } from './support/memory-baton.js';
import { failingCommits, interceptCommits } from './support/store-faults.js';

/** A task that takes the whole of a 512 MiB instance: a second one fits only if the first is gone. */
const big = { family: 'big', containerDefinitions: [{ name: 'big', image: 'busybox', memory: 512 }] };
const createsTask = (ops: readonly Op<BatonKinds>[]) =>
  ops.some((op) => op.op === 'create' && op.kind === 'Task');

/**
 * RunTask places through the cluster states' assume/forget protocol: the placement is assumed
 * (reserved) before the commit; when the commit loses, it is forgotten — unless the write landed
 * after all, in which case the informer's copy is the truth.
 *
 * Planted bugs these tests were checked to catch: dropping `states.forget(assumption)` in RunTask
 * (the second RunTask finds the instance full); forgetting a placement the informer had confirmed.
 */
describe('RunTask under a lost commit', () => {
  let m: MemoryBaton;
  afterEach(async () => m?.stop());

  async function setup(wrap: (s: Store<BatonKinds>) => Store<BatonKinds>) {
    m = await memoryBaton('lost', { wrap });
    const instance = await m.addInstance('i-a', { memory: 512 });
    await m.baton.registerTaskDefinition(big);
    const seen: CacheChange<unknown>[] = [];
    m.baton.internals.informers.tasks.changes.subscribe((c) => seen.push(c));
    return { instance, seen };
  }

  it('a refused commit leaves nothing assumed and starts nothing', async () => {
    let refuse = true;
    let faults: ReturnType<typeof failingCommits> | undefined;
    const { instance, seen } = await setup((s) => {
      const f = failingCommits(
        s,
        (ops) => refuse && createsTask(ops),
        () => new StoreUnavailableError('injected'),
      );
      faults = f;
      return f.store;
    });
    const err = await m.baton.runTask({ cluster: 'lost', taskDefinition: 'big' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(faults?.failed).toBe(1);
    const [described] = (
      await m.baton.describeContainerInstances({ cluster: 'lost', containerInstances: ['i-a'] })
    ).containerInstances;
    expect(described?.remainingResources.find((r) => r.name === 'MEMORY')?.integerValue).toBe(512);

    // The next RunTask fits the whole instance only if the lost placement was forgotten.
    refuse = false;
    const { tasks, failures } = await m.baton.runTask({ cluster: 'lost', taskDefinition: 'big' });
    expect(failures).toEqual([]);
    expect(tasks.map((t) => t.containerInstanceArn)).toEqual([instance.containerInstanceArn]);
    // The cache has seen the second commit, so it has seen anything committed before it: the first
    // RunTask never reached the store, and nothing but the second task was ever started.
    await m.tasksCached(() => m.baton.internals.informers.tasks.get(tasks[0]!.taskArn) !== undefined);
    expect(seen.map((c) => `${c.type} ${c.key}`)).toEqual([`ADDED ${tasks[0]!.taskArn}`]);
    expect((await m.store.list('Task')).items.map((e) => e.key)).toEqual([tasks[0]!.taskArn]);
  });

  it('a commit that landed although it reported failure keeps its reservation (the informer’s copy is the truth)', async () => {
    let ambiguous = true;
    const { seen } = await setup((s) =>
      interceptCommits(s, async (ops, commit) => {
        const result = await commit(ops);
        if (ambiguous && createsTask(ops)) {
          ambiguous = false;
          throw new StoreUnavailableError('injected: the answer was lost after the write applied');
        }
        return result;
      }),
    );
    const err = await m.baton.runTask({ cluster: 'lost', taskDefinition: 'big' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    const [landed] = (await m.store.list('Task')).items;
    expect(landed).toBeDefined();
    await m.tasksCached(() => m.baton.internals.informers.tasks.get(landed!.key) !== undefined);

    // The instance is full: a second task must not be placed on it.
    const { tasks, failures } = await m.baton.runTask({ cluster: 'lost', taskDefinition: 'big' });
    expect(tasks).toEqual([]);
    expect(failures.map((f) => f.reason)).toEqual([
      expect.stringContaining(
        'The closest matching container-instance i-a has insufficient memory available',
      ),
    ]);
    expect(seen.map((c) => `${c.type} ${c.key}`)).toEqual([`ADDED ${landed!.key}`]);
  });
});
