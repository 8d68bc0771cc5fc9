import { randomUUID } from 'node:crypto';
import { Cluster } from '@baton-ecs/model';
import {
  batonKinds,
  createEtcdStore,
  createMemoryStore,
  type EtcdStore,
  FencedError,
  StoreClosedError,
  withFence,
} from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import { requireSharedEtcd } from '../../../store/test/etcd/etcd-process.js';
import { LeaderElector, type LeaderLock, type LeaderTerm, type LogRecord } from '../../src/index.js';
import { testTimings, until } from './replicas.js';

const cluster = (name: string) =>
  Cluster.parse({ clusterName: name, clusterArn: `arn:aws:ecs:local:000000000000:cluster/${name}` });

/** A lock whose renewals can be made to fail, as when its process is cut off from etcd. */
function cutOffable(lock: LeaderLock) {
  let cut = false;
  const wrapped: LeaderLock = Object.assign(Object.create(lock) as LeaderLock, {
    renew: (lease: string, timeoutMs: number) =>
      cut ? Promise.reject(new Error('injected: etcd unreachable')) : lock.renew(lease, timeoutMs),
    tryAcquire: (lease: string, identity: string) =>
      cut ? Promise.reject(new Error('injected: etcd unreachable')) : lock.tryAcquire(lease, identity),
    release: (lease: string) =>
      cut ? Promise.reject(new Error('injected: etcd unreachable')) : lock.release(lease),
  });
  return { lock: wrapped, cutOff: () => (cut = true) };
}

const stores: EtcdStore<typeof batonKinds>[] = [];
const electors: LeaderElector[] = [];
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop();
  for (const s of stores.splice(0)) await s.destroy();
});

describe('fencing', { timeout: 30_000 }, () => {
  it('refuses a deposed leader’s delayed write, and takes the new leader’s', async () => {
    const endpoints = await requireSharedEtcd();
    const store = await createEtcdStore({
      kinds: batonKinds,
      endpoints,
      prefix: `/baton-test/fence-${randomUUID()}`,
    });
    stores.push(store);
    await store.create('Cluster', cluster('c'));
    const logs: LogRecord[] = [];
    const terms: Record<string, LeaderTerm> = {};
    const stopped: Record<string, string> = {};
    const elector = (identity: string, lock: LeaderLock) => {
      const e = new LeaderElector(
        lock,
        { identity, ...testTimings },
        {
          onStartedLeading: (t) => {
            terms[identity] = t;
          },
          onStoppedLeading: (_t, reason) => {
            stopped[identity] = reason;
          },
        },
        (r) => logs.push(r),
      );
      electors.push(e);
      e.start();
      return e;
    };
    const a = cutOffable(store.leaseLock('controller'));
    elector('a', a.lock);
    await until('a to lead', 5_000, () => terms.a);
    const b = elector('b', store.leaseLock('controller'));
    // b has tried the lock once it has seen its holder: only then is "b does not lead" a fact.
    await until('b to see a holding the lock', 5_000, () => b.state$.value.holder === 'a');
    expect(terms.b).toBeUndefined(); // one leader at a time

    // a decides to write as leader, then stalls before sending (a GC pause, a slow path) …
    const aStore = withFence(store, terms.a!.fence);
    let resume: () => void = () => {};
    const stalled = new Promise<void>((r) => {
      resume = r;
    });
    const late = (async () => {
      await stalled;
      return aStore.update('Cluster', 'c', (c) => {
        c.status = 'INACTIVE';
      });
    })();
    // … meanwhile it is cut off from etcd: it stops acting at its renew deadline, b takes over.
    const cutAt = Date.now();
    a.cutOff();
    await until('b to lead', testTimings.leaseDurationMs + 3_000, () => terms.b);
    expect(stopped.a).toMatch(/renew deadline/);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(testTimings.renewDeadlineMs - 100);

    resume(); // the stalled write finally goes out
    const err = await late.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FencedError);
    expect(err).toBeInstanceOf(StoreClosedError);
    expect((err as Error).message).toContain('held by b');
    expect((await store.get('Cluster', 'c'))?.object.status).toBe('ACTIVE');

    // The new leader's writes land.
    const bStore = withFence(store, terms.b!.fence);
    await bStore.update('Cluster', 'c', (c) => {
      c.status = 'INACTIVE';
    });
    expect((await store.get('Cluster', 'c'))?.object.status).toBe('INACTIVE');
    // Transactions through a fenced store carry the fence too.
    await expect(aStore.transaction((tx) => tx.update('Cluster', 'c', cluster('c')))).rejects.toBeInstanceOf(
      FencedError,
    );
  });

  it('a write fenced on a lapsed lock is refused even when nobody holds it now', async () => {
    const endpoints = await requireSharedEtcd();
    const store = await createEtcdStore({
      kinds: batonKinds,
      endpoints,
      prefix: `/baton-test/fence-${randomUUID()}`,
    });
    stores.push(store);
    const lock = store.leaseLock('controller');
    const lease = await lock.grant(2);
    const { acquired, record } = await lock.tryAcquire(lease, 'a');
    expect(acquired).toBe(true);
    const fenced = withFence(store, lock.fence(record!));
    await fenced.create('Cluster', cluster('c1'));
    await lock.release(lease);
    const err = await fenced.create('Cluster', cluster('c2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FencedError);
    expect((err as Error).message).toContain('lease lapsed');
    expect(await store.get('Cluster', 'c2')).toBeUndefined();
    lock.close();
  });

  it('the memory backend has no one to fence off: withFence returns the store itself', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const fence = { key: '/x', createRevision: '1', description: 'test' };
    expect(withFence(store, fence)).toBe(store);
    await store.close();
  });
});
