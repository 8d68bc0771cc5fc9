import { ManualClock } from '@baton-ecs/loop';
import { type BatonKinds, batonKinds, createMemoryStore } from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import { Informer } from '../src/informer.js';
import { waitForCache } from '../src/leader/caches.js';

/**
 * One commit that writes several objects reaches the informer as several events at one store
 * version. A waiter whose condition needs all of them must hear of the last one: the informer
 * announces the version after each. (The wait's timeout is on a clock that never moves, so only that
 * announcement can end it.)
 */
describe('Informer versions: a commit of several objects', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('wakes a waiter that needs every object of the commit', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const informer = new Informer<BatonKinds, 'Cluster'>(store, 'Cluster', clock);
    informer.start();
    stops.push(() => informer.stop());
    await informer.synced;
    const waiting = waitForCache(informer, () => informer.size === 3, { clock, timeoutMs: 1_000 });
    await store.commit(
      ['a', 'b', 'c'].map((clusterName) => ({
        op: 'create' as const,
        kind: 'Cluster' as const,
        object: { clusterName, status: 'ACTIVE' as const } as never,
      })),
    );
    expect(await waiting).toBe(true);
    expect(informer.size).toBe(3);
  });
});
