import { Cluster, Service } from '@baton-ecs/model';
import { batonKinds, CompactedError, createMemoryStore } from '@baton-ecs/store';
import { describe, expect, it } from 'vitest';
import { catchUp, Informer, ManualClock, waitForCache } from '../../src/index.js';
import { breakableWatches } from '../support/store-faults.js';

/*
 * Planted bug these tests were checked to catch: catchUp without the cache-equals-list test (a new
 * leader whose informer version stays behind writes of other kinds would wait out its timeout);
 * waitForCache checking its predicate on every change (a re-list of n objects then costs n whole-cache
 * comparisons, and judges the re-list's partial snapshot).
 */
const cluster = (name: string) =>
  Cluster.parse({ clusterName: name, clusterArn: `arn:aws:ecs:local:000000000000:cluster/${name}` });

async function setup() {
  const real = await createMemoryStore({ kinds: batonKinds });
  const faults = breakableWatches(real);
  const clock = new ManualClock();
  const informer = new Informer(faults.store, 'Cluster', clock);
  return { real, faults, clock, informer };
}

describe('catchUp: a new leader waits until its caches hold every write committed before it won', () => {
  it('resolves when the informer applies the missing writes (its version stream), with them in the cache', async () => {
    const { real, faults, clock, informer } = await setup();
    informer.start();
    await informer.synced;
    faults.breakWatches(); // the informer is down: the predecessor's last writes have not reached it
    await real.create('Cluster', cluster('a'));
    await real.create('Cluster', cluster('b'));
    let cacheWhenResolved: string[] | undefined;
    const caught = catchUp(real, [informer], 10_000, undefined, clock).then((ok) => {
      cacheWhenResolved = [...informer.values()].map((e) => e.key).sort();
      return ok;
    });
    expect(informer.size).toBe(0);
    clock.advance(200); // the informer's retry: it resumes and applies both writes
    expect(await caught).toBe(true);
    expect(cacheWhenResolved).toEqual(['a', 'b']);
    informer.stop();
  });

  it('gives up (false) at its timeout on Baton’s clock, not the wall clock', async () => {
    const { real, clock, informer } = await setup();
    await real.create('Cluster', cluster('a')); // the informer never starts: it never catches up
    const caught = catchUp(real, [informer], 10_000, undefined, clock);
    await real.version(); // catchUp has listed and is waiting
    await new Promise((r) => setImmediate(r));
    expect(clock.pendingTimers).toBe(1);
    clock.advance(9_999);
    expect(clock.pendingTimers).toBe(1); // its deadline has not passed
    clock.advance(1);
    expect(await caught).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up (false) when the term ends (abort), and leaves no timer behind', async () => {
    const { real, clock, informer } = await setup();
    await real.create('Cluster', cluster('a'));
    const term = new AbortController();
    const caught = catchUp(real, [informer], 10_000, term.signal, clock);
    await real.version();
    await new Promise((r) => setImmediate(r));
    term.abort();
    expect(await caught).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('is caught up when the cache equals the list although its version is behind (writes of other kinds moved the store)', async () => {
    const { real, clock, informer } = await setup();
    await real.create('Cluster', cluster('a'));
    informer.start();
    await informer.synced;
    const service = Service.parse({ serviceName: 'web', cluster: 'a', taskDefinition: 'web:1' });
    await real.create('Service', service);
    expect(informer.version).toBeLessThan(await real.version());
    expect(await catchUp(real, [informer], 10_000, undefined, clock)).toBe(true);
    expect(clock.pendingTimers).toBe(0); // answered at once: no timer was needed
    informer.stop();
  });
});

describe('waitForCache', () => {
  it('resolves false when the informer stops before the cache holds what it waits for', async () => {
    const { clock, informer } = await setup();
    informer.start();
    await informer.synced;
    const waiting = waitForCache(informer, () => informer.get('never') !== undefined, {
      timeoutMs: 60_000,
      clock,
    });
    informer.stop();
    expect(await waiting).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('checks its predicate once per version, not once per change: a re-list of 300 objects is judged at its end', async () => {
    const { real, faults, clock, informer } = await setup();
    informer.start();
    await informer.synced;
    faults.breakWatches(new CompactedError(1, 1)); // the informer must re-list from scratch
    for (let i = 0; i < 300; i++) await real.create('Cluster', cluster(`c${i}`));
    const seen: number[] = [];
    const waiting = waitForCache(
      informer,
      () => {
        seen.push(informer.size);
        return informer.size === 300;
      },
      { timeoutMs: 60_000, clock },
    );
    clock.advance(0); // the informer's re-list: 300 ADDED changes, then one version at its SYNCED
    expect(await waiting).toBe(true);
    // At the call, on subscribing (the version stream replays the current version), and at the
    // re-list's version: never on one of the 300 changes, never on a partial snapshot.
    expect(seen).toEqual([0, 0, 300]);
    informer.stop();
  });
});
