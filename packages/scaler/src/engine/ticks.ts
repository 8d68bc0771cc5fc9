import { Observable, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Emits the scheduler's time at every multiple of `periodMs` since the
 * epoch (shifted by `offsetMs`), after subscription. Each tick is scheduled
 * afresh on the scheduler rather than by rescheduling the previous action:
 * a VirtualTimeScheduler nests rescheduled actions, and days of virtual
 * minutes would overflow the stack on unsubscribe. Aligning every tick to
 * the grid also keeps a real clock from drifting.
 */
export function alignedTicks(periodMs: number, scheduler: SchedulerLike, offsetMs = 0): Observable<number> {
  return new Observable<number>((subscriber) => {
    let pending: Subscription | undefined;
    let last = -Infinity;
    const arm = () => {
      const now = scheduler.now();
      const grid = Math.floor((now - offsetMs) / periodMs + 1) * periodMs + offsetMs;
      const at = Math.max(grid, last + periodMs);
      last = at;
      pending = scheduler.schedule(() => {
        subscriber.next(scheduler.now());
        arm();
      }, at - now);
    };
    arm();
    return () => pending?.unsubscribe();
  });
}
