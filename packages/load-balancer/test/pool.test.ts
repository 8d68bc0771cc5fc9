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
