import { describe, expect, it } from 'vitest';
import { ManualClock, WorkQueue } from '../src/index.js';

describe('WorkQueue', () => {
  it('de-duplicates keys that are queued', async () => {
    const q = new WorkQueue<string>({ clock: new ManualClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands out a key that is being processed; re-queues it once when done', async () => {
    const q = new WorkQueue<string>({ clock: new ManualClock() });
    q.add('a');
    const first = await q.get();
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0);
    q.done(first!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('wakes a waiting worker', async () => {
    const q = new WorkQueue<string>({ clock: new ManualClock() });
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
    expect(q.busy).toBe(1);
  });

  it('honours addAfter exactly, and the earliest deadline wins', () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 5000);
    q.addAfter('b', 300);
    clock.advance(299);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    clock.advance(699);
    expect(q.length).toBe(1);
    clock.advance(1);
    expect(q.length).toBe(2);
    clock.advance(10_000);
    expect(q.length).toBe(2);
    expect(q.delayed).toBe(0);
  });

  it('backs a failing key off exponentially, per key, and forget resets it', () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock, baseBackoffMs: 10, maxBackoffMs: 1000 });
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('a'))).toEqual([10, 20, 40, 80, 160]);
    expect(q.addRateLimited('b')).toBe(10);
    for (let i = 0; i < 10; i++) q.addRateLimited('a');
    expect(q.addRateLimited('a')).toBe(1000);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(10);
    expect(q.numRequeues('a')).toBe(1);
  });

  it('rate-limits re-adds overall with a token bucket', () => {
    const clock = new ManualClock();
    const q = new WorkQueue<number>({ clock, baseBackoffMs: 1, ratePerSecond: 10, burst: 5 });
    const delays = Array.from({ length: 8 }, (_, i) => q.addRateLimited(i));
    expect(delays.slice(0, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(delays.slice(5)).toEqual([100, 200, 300]);
    clock.advance(1000);
    expect(q.addRateLimited(100)).toBe(1);
  });

  it('shuts down: waiting workers get undefined, timers are cleared', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock });
    const waiting = q.get();
    q.addAfter('later', 1000);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
    q.add('x');
    expect(await q.get()).toBeUndefined();
  });
});
