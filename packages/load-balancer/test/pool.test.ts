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

  it('fail-open (ELB): with no healthy target, unhealthy and initial ones are used', () => {
    const closed = new TargetPool();
    closed.update([t('a1', 'unhealthy')]);
    expect(closed.pick()).toBeUndefined();
    const open = new TargetPool('round_robin', true);
    open.update([t('a1', 'unhealthy'), t('b2', 'draining')]);
    expect(open.pick()?.key).toBe('a1');
  });
});
