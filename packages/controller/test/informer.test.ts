import { randomUUID } from 'node:crypto';
import { Cluster } from '@baton-ecs/model';
import {
  type BatonKinds,
  batonKinds,
  CompactedError,
  createEtcdStore,
  createMemoryStore,
  type Store,
  WatchOverflowError,
} from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import { deletePrefix, requireSharedEtcd } from '../../store/test/etcd/etcd-process.js';
import { type CacheChange, Informer, ManualClock, waitForCache } from '../src/index.js';
import { breakableWatches } from './support/store-faults.js';

/*
 * Planted bug these tests were checked to catch: resuming (fromVersion) after a re-list was cut short
 * (the informer then takes a partial snapshot for the whole and never reports what it missed).
 */
const cluster = (name: string, tag = '') =>
  Cluster.parse({
    clusterName: name,
    clusterArn: `arn:aws:ecs:local:000000000000:cluster/${name}`,
    tags: tag ? [{ key: 'rev', value: tag }] : [],
  });

type Change = Pick<CacheChange<unknown>, 'type' | 'key'> & { readonly tag: string | undefined };

/** An informer over `store` on a manual clock, recording every change it reports. */
function watched(store: Store<BatonKinds>) {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const informer = new Informer(store, 'Cluster', clock, (e) => errors.push(e));
  const changes: Change[] = [];
  informer.changes.subscribe((c) =>
    changes.push({ type: c.type, key: c.key, tag: c.object?.object.tags[0]?.value }),
  );
  informer.start();
  return { informer, clock, errors, changes };
}

/** Resolves once the informer's cache holds exactly what the store lists now (no polling: on its changes). */
async function caughtUp(informer: Informer<BatonKinds, 'Cluster'>, store: Store<BatonKinds>) {
  const list = await store.list('Cluster');
  const same = () =>
    informer.size === list.items.length &&
    list.items.every((e) => informer.get(e.key)?.version === e.version);
  expect(await waitForCache(informer, same, { timeoutMs: 10_000 })).toBe(true);
  return list;
}

/** The same outage on each store: what the informer must report once it is back. */
function outageScenarios(open: (o: { watchWindow?: number }) => Promise<Store<BatonKinds>>) {
  const stores: Store<BatonKinds>[] = [];
  const openStore = async (o: { watchWindow?: number } = {}) => {
    const s = await open(o);
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('a dropped watch resumes from the last version seen: each change made meanwhile arrives once, in order', async () => {
    const real = await openStore();
    const faults = breakableWatches(real);
    const { informer, clock, errors, changes } = watched(faults.store);
    await real.create('Cluster', cluster('a'));
    await real.create('Cluster', cluster('b'));
    await informer.synced;
    await caughtUp(informer, real);
    const seenBefore = informer.version;
    changes.length = 0;

    faults.breakWatches();
    await real.update('Cluster', 'a', (c) => {
      c.tags = [{ key: 'rev', value: 'a2' }];
    });
    await real.delete('Cluster', 'b');
    await real.create('Cluster', cluster('c'));
    expect(changes).toEqual([]); // down: nothing arrives until the retry
    clock.advance(200);
    const list = await caughtUp(informer, real);

    expect(changes).toEqual([
      { type: 'MODIFIED', key: 'a', tag: 'a2' },
      { type: 'DELETED', key: 'b', tag: undefined },
      { type: 'ADDED', key: 'c', tag: undefined },
    ]);
    expect(faults.opened.map((w) => w.fromVersion)).toEqual([undefined, seenBefore]);
    expect(informer.version).toBeGreaterThanOrEqual(Math.max(...list.items.map((e) => e.version)));
    expect(errors).toHaveLength(1);
    informer.stop();
  });

  it('a resume whose history is compacted re-lists and reports only the difference, without duplicates', async () => {
    const real = await openStore({ watchWindow: 2 });
    const faults = breakableWatches(real);
    const { informer, clock, errors, changes } = watched(faults.store);
    for (const name of ['a', 'b', 'keep']) await real.create('Cluster', cluster(name));
    await informer.synced;
    await caughtUp(informer, real);
    changes.length = 0;

    faults.breakWatches();
    for (const rev of ['a2', 'a3', 'a4'])
      await real.update('Cluster', 'a', (c) => {
        c.tags = [{ key: 'rev', value: rev }];
      });
    await real.delete('Cluster', 'b');
    await real.create('Cluster', cluster('d'));
    await real.create('Cluster', cluster('gone'));
    await real.delete('Cluster', 'gone');
    clock.advance(200); // resume → CompactedError
    await waitForErrors(errors, 2);
    expect(errors[1]).toBeInstanceOf(CompactedError);
    clock.advance(0); // → re-list
    await caughtUp(informer, real);

    expect(sortByKey(changes)).toEqual([
      { type: 'MODIFIED', key: 'a', tag: 'a4' },
      { type: 'DELETED', key: 'b', tag: undefined },
      { type: 'ADDED', key: 'd', tag: undefined },
    ]);
    expect(faults.opened.map((w) => w.fromVersion === undefined)).toEqual([true, false, true]);
    expect(informer.get('keep')).toBeDefined();
    informer.stop();
  });
}

/** Errors arrive from the store's watch asynchronously: wait on the informer's error callback. */
async function waitForErrors(errors: unknown[], n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (errors.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} watch errors, got ${errors.length}`);
    await new Promise((r) => setImmediate(r));
  }
}

const sortByKey = (cs: readonly Change[]) => [...cs].sort((x, y) => x.key.localeCompare(y.key));

describe('Informer over the memory store', () => {
  outageScenarios(async (o) => createMemoryStore({ kinds: batonKinds, ...o }));

  it('a watcher that falls behind (overflow) re-lists: every object arrives once', async () => {
    const real = await createMemoryStore({ kinds: batonKinds, maxBufferedEvents: 2 });
    const { informer, clock, errors, changes } = watched(real);
    await informer.synced;
    // Four commits before the watcher's next delivery: more than it may buffer.
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => real.create('Cluster', cluster(n))));
    await waitForErrors(errors, 1);
    expect(errors[0]).toBeInstanceOf(WatchOverflowError);
    clock.advance(0);
    await caughtUp(informer, real);
    expect(sortByKey(changes)).toEqual(
      ['a', 'b', 'c', 'd'].map((key) => ({ type: 'ADDED', key, tag: undefined })),
    );
    informer.stop();
    await real.close();
  });

  it('a re-list cut short is not resumed from: the next attempt lists again', async () => {
    const real = await createMemoryStore({ kinds: batonKinds, watchWindow: 1 });
    const faults = breakableWatches(real);
    const { informer, clock, changes } = watched(faults.store);
    await real.create('Cluster', cluster('a'));
    await informer.synced;
    faults.breakWatches(); // the first list is done; this one is resumed from
    await real.create('Cluster', cluster('b'));
    await real.create('Cluster', cluster('c'));
    clock.advance(200); // resume → compacted
    await new Promise((r) => setImmediate(r));
    clock.advance(0); // re-list; break it before it is delivered (delivery is a microtask later)
    faults.breakWatches();
    clock.advance(200);
    await caughtUp(informer, real);
    expect(faults.opened.map((w) => w.fromVersion === undefined)).toEqual([true, false, true, true]);
    expect(sortByKey(changes).map((c) => `${c.type} ${c.key}`)).toEqual(['ADDED a', 'ADDED b', 'ADDED c']);
    informer.stop();
    await real.close();
  });
});

describe('Informer over etcd (127.0.0.1:2379, a prefix of its own)', () => {
  const prefixes: string[] = [];
  let endpoints = '';
  afterEach(async () => {
    for (const p of prefixes.splice(0)) await deletePrefix(endpoints, p);
  });
  outageScenarios(async (o) => {
    endpoints = await requireSharedEtcd();
    const prefix = `/baton-test/core-informer-${randomUUID()}`;
    prefixes.push(prefix);
    return createEtcdStore({ kinds: batonKinds, endpoints, prefix, ...o });
  });
});
