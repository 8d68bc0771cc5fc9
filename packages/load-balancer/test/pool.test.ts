import { describe, expect, it } from 'vitest';
import { type BalancerTarget, TargetPool } from '../src/index.js';

const t = (key: string, state: BalancerTarget['state'] = 'healthy'): BalancerTarget => ({
  key,
  host: '127.0.0.1',
  port: Number(key.slice(1)),
  state,
});

describe('TargetPool', () => {
  it('round robin over healthy targets only', () => {
    const pool = new TargetPool();
    pool.update([t('a1'), t('b2', 'initial'), t('c3'), t('d4', 'unhealthy'), t('e5', 'draining')]);
    expect([1, 2, 3, 4].map(() => pool.pick()!.key)).toEqual(['a1', 'c3', 'a1', 'c3']);
    expect(pool.pick(new Set(['a1', 'c3']))).toBeUndefined();
  });

  it('least outstanding requests picks the least busy target', () => {
    const pool = new TargetPool('least_outstanding_requests');
    pool.update([t('a1'), t('b2'), t('c3')]);
    const a = pool.pick()!;
    pool.acquire(a);
    pool.acquire(a);
    const b = pool.pick()!;
    expect(b.key).not.toBe('a1');
    pool.acquire(b);
    expect(pool.pick()!.key).toBe(['b2', 'c3'].find((k) => k !== b.key));
  });

  it('a draining target gets no new requests and is drained once its last request ends', () => {
    const pool = new TargetPool();
    pool.update([t('a1'), t('b2')]);
    const a = pool.get('a1')!;
    pool.acquire(a);
    pool.update([t('a1', 'draining'), t('b2')]);
    expect(pool.drained('a1')).toBe(false);
    expect([1, 2, 3].map(() => pool.pick()!.key)).toEqual(['b2', 'b2', 'b2']);
    expect(pool.release(a)).toBe(true);
    expect(pool.drained('a1')).toBe(true);
    // Removed from the group while a request is in flight: kept until it ends.
    const b = pool.get('b2')!;
    pool.acquire(b);
    pool.update([]);
    expect(pool.get('b2')).toBeDefined();
    pool.release(b);
    expect(pool.get('b2')).toBeUndefined();
    expect(pool.drained('b2')).toBe(true);
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html:
  // "If a target group contains only unhealthy registered targets, the load balancer routes requests
  // to all those targets" — ELB's default, and the pool's.
  it('fails open by default (ELB): with no healthy target, every registered non-draining one is used', () => {
    const open = new TargetPool();
    open.update([t('a1', 'unhealthy'), t('b2', 'draining'), t('c3', 'initial')]);
    expect([1, 2, 3, 4].map(() => open.pick()?.key)).toEqual(['a1', 'c3', 'a1', 'c3']);
    // One target turns healthy: it alone gets new requests again.
    open.update([t('a1', 'unhealthy'), t('b2', 'draining'), t('c3')]);
    expect([1, 2].map(() => open.pick()?.key)).toEqual(['c3', 'c3']);
    const closed = new TargetPool('round_robin', false);
    closed.update([t('a1', 'unhealthy')]);
    expect(closed.pick()).toBeUndefined();
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html:
  // below either threshold (count or percentage) the balancer routes to all targets.
  it('unhealthy state routing thresholds: minimum healthy count and percentage', () => {
    const targets = [t('a1'), t('b2', 'unhealthy'), t('c3', 'unhealthy'), t('d4', 'unhealthy')];
    const byCount = new TargetPool('round_robin', {
      minimumHealthyTargetsCount: 2,
      minimumHealthyTargetsPercentage: 'off',
    });
    byCount.update(targets);
    expect(new Set([1, 2, 3, 4].map(() => byCount.pick()?.key))).toEqual(new Set(['a1', 'b2', 'c3', 'd4']));
    const byPercent = new TargetPool('round_robin', {
      minimumHealthyTargetsCount: 1,
      minimumHealthyTargetsPercentage: 50,
    });
    byPercent.update(targets); // 25 % healthy < 50 %
    expect(new Set([1, 2, 3, 4].map(() => byPercent.pick()?.key)).size).toBe(4);
    byPercent.update([t('a1'), t('b2'), t('c3', 'unhealthy'), t('d4', 'unhealthy')]); // 50 %: not below
    expect(new Set([1, 2, 3, 4].map(() => byPercent.pick()?.key))).toEqual(new Set(['a1', 'b2']));
    // Thresholds change live (the group's attributes were modified).
    byPercent.setRouting({ minimumHealthyTargetsCount: 3, minimumHealthyTargetsPercentage: 'off' });
    expect(new Set([1, 2, 3, 4].map(() => byPercent.pick()?.key)).size).toBe(4);
  });
});

// ELB's slow start mode (ALB guide, target group attributes, "Slow start mode"):
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
describe('TargetPool slow start (virtual time)', () => {
  const duration = 100_000;
  const pool = (algorithm: 'round_robin' | 'least_outstanding_requests' = 'round_robin') => {
    const clock = { now: 0 };
    const p = new TargetPool(algorithm, true, { durationMs: duration, now: () => clock.now });
    return { p, clock };
  };
  const share = (p: TargetPool, key: string, picks: number) => {
    let n = 0;
    for (let i = 0; i < picks; i++) if (p.pick()!.key === key) n++;
    return n / picks;
  };

  it('a target that becomes healthy next to a settled one ramps up linearly to its full share', () => {
    const { p, clock } = pool();
    p.update([t('a1'), t('b2'), t('c3', 'initial')]);
    clock.now = 1_000_000;
    p.update([t('a1'), t('b2'), t('c3')]); // c3 passes its check: slow start from here
    // Full share would be 1/3; at fraction f of the duration it is f / (2 + f).
    expect(share(p, 'c3', 300)).toBe(0);
    clock.now += duration / 4;
    expect(share(p, 'c3', 900)).toBeCloseTo(0.25 / 2.25, 2);
    clock.now += duration / 4;
    expect(share(p, 'c3', 500)).toBeCloseTo(0.5 / 2.5, 2);
    clock.now += duration / 2;
    expect(share(p, 'c3', 300)).toBeCloseTo(1 / 3, 2);
    expect(p.get('c3')!.slowStartSince).toBeUndefined();
  });

  it('targets present when the listener starts, or all registered at once into an empty group, do not ramp', () => {
    const { p, clock } = pool();
    p.update([t('a1'), t('b2')]);
    clock.now = 5_000;
    expect(share(p, 'b2', 100)).toBe(0.5);
    const empty = pool().p;
    empty.update([t('a1', 'initial'), t('b2', 'initial')]);
    empty.update([t('a1'), t('b2')]);
    expect(empty.get('a1')!.slowStartSince).toBeUndefined();
    expect(empty.get('b2')!.slowStartSince).toBeUndefined();
  });

  it('becoming unhealthy or deregistered ends the ramp; healthy again starts a new one', () => {
    const { p, clock } = pool();
    p.update([t('a1'), t('b2', 'initial')]);
    clock.now = 10_000;
    p.update([t('a1'), t('b2')]);
    expect(p.get('b2')!.slowStartSince).toBe(10_000);
    clock.now = 60_000;
    p.update([t('a1'), t('b2', 'unhealthy')]);
    expect(p.get('b2')!.slowStartSince).toBeUndefined();
    clock.now = 70_000;
    p.update([t('a1'), t('b2')]);
    expect(p.get('b2')!.slowStartSince).toBe(70_000);
    p.update([t('a1')]);
    expect(p.get('b2')?.slowStartSince).toBeUndefined();
  });

  it('turning slow start on does not ramp healthy targets; off ends every ramp', () => {
    const clock = { now: 0 };
    const p = new TargetPool('round_robin', true, { durationMs: 0, now: () => clock.now });
    p.update([t('a1'), t('b2', 'initial')]);
    p.update([t('a1'), t('b2')]);
    p.setSlowStart(duration);
    expect(share(p, 'b2', 10)).toBe(0.5);
    p.update([t('a1'), t('b2'), t('c3', 'initial')]);
    p.update([t('a1'), t('b2'), t('c3')]);
    expect(p.get('c3')!.slowStartSince).toBe(0);
    p.setSlowStart(0);
    expect(p.get('c3')!.slowStartSince).toBeUndefined();
    expect(share(p, 'c3', 30)).toBeCloseTo(1 / 3, 5);
  });

  it('least outstanding requests weighs a ramping target’s in-flight count by its share', () => {
    const { p, clock } = pool('least_outstanding_requests');
    p.update([t('a1'), t('b2', 'initial')]);
    clock.now = 1_000;
    p.update([t('a1'), t('b2')]);
    clock.now += duration / 2; // b2 at half its share
    // Requests that never finish: b2 should hold about half as many as a1.
    for (let i = 0; i < 300; i++) p.acquire(p.pick()!);
    const a = p.get('a1')!.inFlight;
    const b = p.get('b2')!.inFlight;
    expect(a + b).toBe(300);
    expect(b / a).toBeCloseTo(0.5, 1);
  });
});
