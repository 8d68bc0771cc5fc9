import type { AcquireResult, LockRecord } from '@baton-ecs/store';
import { describe, expect, it } from 'vitest';
import { LeaderElector, type LeaderLock, type LogRecord } from '../../src/index.js';
import { until } from './replicas.js';

/** An in-process lock with etcd's semantics (a key bound to a lease that lapses), and a switch to cut it off. */
function fakeLock() {
  const now = () => Date.now();
  let nextLease = 1;
  let revision = 1;
  const leases = new Map<string, number>(); // lease → expiry (ms)
  let key: LockRecord | undefined;
  let cut = false;
  const live = () => {
    for (const [id, at] of leases) if (at <= now()) leases.delete(id);
    if (key && !leases.has(key.lease)) key = undefined;
  };
  const reachable = () => {
    if (cut) throw new Error('etcd unreachable (injected)');
  };
  const ttls = new Map<string, number>();
  const lock: LeaderLock = {
    name: 'test',
    async grant(ttl) {
      reachable();
      const id = String(nextLease++);
      leases.set(id, now() + ttl * 1000);
      ttls.set(id, ttl);
      return id;
    },
    async renew(lease) {
      reachable();
      live();
      if (!leases.has(lease)) return 0;
      leases.set(lease, now() + (ttls.get(lease) ?? 0) * 1000);
      return ttls.get(lease) ?? 0;
    },
    async tryAcquire(lease, identity): Promise<AcquireResult> {
      reachable();
      live();
      if (!key && leases.has(lease)) key = { holder: identity, createRevision: String(++revision), lease };
      return { acquired: key?.lease === lease, record: key };
    },
    async holder() {
      reachable();
      live();
      return key;
    },
    async release(lease) {
      reachable();
      leases.delete(lease);
      live();
    },
    fence: (r) => ({ key: '/lock', createRevision: r.createRevision, description: r.holder }),
    close() {},
  };
  return {
    lock,
    cutOff: (v: boolean) => {
      cut = v;
    },
    holder: () => {
      live();
      return key?.holder;
    },
  };
}

const timings = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };

describe('LeaderElector', () => {
  it('rejects timings where a leader could outlive its lease', () => {
    const { lock } = fakeLock();
    const cb = { onStartedLeading: () => {}, onStoppedLeading: () => {} };
    expect(() => new LeaderElector(lock, { leaseDurationMs: 10, renewDeadlineMs: 10 }, cb, () => {})).toThrow(
      /leaseDurationMs > renewDeadlineMs > retryPeriodMs/,
    );
  });

  it('a leader cut off from etcd stops acting at its renew deadline, before its lease can lapse', async () => {
    const f = fakeLock();
    const logs: LogRecord[] = [];
    let stoppedAt = 0;
    let reason = '';
    const e = new LeaderElector(
      f.lock,
      { identity: 'a', ...timings },
      {
        onStartedLeading: () => {},
        onStoppedLeading: (_t, r) => {
          stoppedAt = Date.now();
          reason = r;
        },
      },
      (r) => logs.push(r),
    );
    e.start();
    await until('leading', 2_000, () => e.leading);
    // The last renewal happened at most one retry period ago; the lease lapses a lease duration after it.
    const cutAt = Date.now();
    f.cutOff(true);
    await until('stepped down', 3_000, () => !e.leading && stoppedAt > 0);
    expect(stoppedAt - cutAt).toBeLessThan(timings.leaseDurationMs - timings.retryPeriodMs);
    expect(reason).toMatch(/renew deadline \(600 ms\).*unreachable/);
    expect(logs.map((l) => l.msg)).toContain(
      'leader cannot renew its lease; will stop acting at the renew deadline',
    );
    expect(e.state$.value).toMatchObject({ leading: false, reason });
    // Back in touch: it campaigns again and, the old lease having lapsed, wins.
    f.cutOff(false);
    await until('leading again', 3_000, () => e.leading);
    await e.stop();
    expect(f.holder()).toBeUndefined(); // stop() released the lock
  });

  it('of two electors one leads; when it stops the other takes over at once', async () => {
    const f = fakeLock();
    const started: string[] = [];
    const make = (identity: string) =>
      new LeaderElector(
        f.lock,
        { identity, ...timings },
        { onStartedLeading: () => void started.push(identity), onStoppedLeading: () => {} },
        () => {},
      );
    const a = make('a');
    const b = make('b');
    a.start();
    await until('a leads', 2_000, () => a.leading);
    b.start();
    // b has tried the lock once it has seen its holder: only then is "b does not lead" a fact.
    await until('b sees a holding the lock', 2_000, () => b.state$.value.holder === 'a');
    expect(b.leading).toBe(false);
    expect(b.state$.value.holder).toBe('a');
    const stoppedAt = Date.now();
    await a.stop();
    await until('b leads', 2_000, () => b.leading);
    expect(Date.now() - stoppedAt).toBeLessThan(timings.leaseDurationMs); // released, not expired
    expect(started).toEqual(['a', 'b']);
    await b.stop();
  });
});
