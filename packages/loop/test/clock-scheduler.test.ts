import { auditTime, interval, Subject, take, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { clockScheduler, ManualClock } from '../src/index.js';

describe('clockScheduler: RxJS time on a Baton Clock', () => {
  it('timer and interval fire when the manual clock reaches them, and read its time', () => {
    const clock = new ManualClock(1_000);
    const scheduler = clockScheduler(clock);
    const seen: number[] = [];
    timer(500, scheduler).subscribe(() => seen.push(scheduler.now()));
    interval(200, scheduler)
      .pipe(take(3))
      .subscribe(() => seen.push(-scheduler.now()));
    clock.advance(499);
    expect(seen).toEqual([-1_200, -1_400]);
    clock.advance(1_000);
    expect(seen).toEqual([-1_200, -1_400, 1_500, -1_600]);
    expect(clock.pendingTimers).toBe(0); // both completed: nothing left scheduled
  });

  it('auditTime debounces on the clock', () => {
    const clock = new ManualClock();
    const input = new Subject<number>();
    const out: number[] = [];
    input.pipe(auditTime(100, clockScheduler(clock))).subscribe((v) => out.push(v));
    input.next(1);
    input.next(2);
    clock.advance(99);
    expect(out).toEqual([]);
    clock.advance(1);
    expect(out).toEqual([2]);
  });

  it('unsubscribing clears the pending timeout', () => {
    const clock = new ManualClock();
    const scheduler = clockScheduler(clock);
    const sub = interval(1_000, scheduler).subscribe();
    expect(clock.pendingTimers).toBe(1);
    sub.unsubscribe();
    expect(clock.pendingTimers).toBe(0);
    const action = scheduler.schedule(() => {
      throw new Error('must not run');
    }, 10);
    action.unsubscribe();
    expect(clock.advance(100)).toBe(0);
  });
});
